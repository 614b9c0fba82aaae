// HAR replay for the Node host, with the Rust host's matching rules
// (DESIGN.md): method, origin and path exactly, query parameters in any
// order, JSON bodies compared as JSON where the entry has one; each entry
// answers once, in order; a request that matches nothing fails the call
// naming the closest entry; a strict replay fails when an entry is unused.
//
// The component's requests are sent, after the allow-list has passed them,
// to a loopback server of this thread, with their origin carried in the
// path (see `sandbox.js`), and answered here from the HAR.

import http from 'node:http';
import { readFileSync } from 'node:fs';

/** The entries of a HAR (an object, or the path of a `.har` file). */
function entriesOf(har) {
  const data = typeof har === 'string' ? JSON.parse(readFileSync(har, 'utf8')) : har;
  const entries = data?.log?.entries;
  if (!Array.isArray(entries)) throw new Error('not a HAR 1.2 document: it has no log.entries');
  return entries;
}

/** Whether two bodies match: as JSON when the entry's is JSON, else as text. */
function sameBody(expected, actual) {
  if (expected === undefined || expected === '') return actual === '' || actual === undefined;
  try {
    return JSON.stringify(sortKeys(JSON.parse(expected))) === JSON.stringify(sortKeys(JSON.parse(actual)));
  } catch {
    return expected === actual;
  }
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  }
  return value;
}

/** The query of a URL as sorted `name=value` pairs. */
function queryOf(url) {
  return [...url.searchParams].map(([k, v]) => `${k}=${v}`).sort().join('&');
}

/** One replay: the entries of a HAR, each answering once. */
export class Replay {
  constructor(har, { strict = true } = {}) {
    this.entries = entriesOf(har).map((entry) => ({ entry, used: false }));
    this.strict = strict;
    this.misses = [];
  }

  /** The first unused entry that matches, or the reason none does. */
  match(method, url, body) {
    let closest;
    for (const [i, slot] of this.entries.entries()) {
      if (slot.used) continue;
      const request = slot.entry.request;
      const expected = new URL(request.url);
      const samePlace =
        request.method === method &&
        expected.origin === url.origin &&
        expected.pathname === url.pathname;
      if (!samePlace) continue;
      if (queryOf(expected) !== queryOf(url)) {
        closest ??= `entry #${i + 1} ${request.method} ${request.url} (query differs)`;
        continue;
      }
      if (!sameBody(request.postData?.text, body)) {
        closest ??= `entry #${i + 1} ${request.method} ${request.url} (request body differs)`;
        continue;
      }
      slot.used = true;
      return { response: slot.entry.response };
    }
    const near = closest ?? 'no entry has that method and path';
    return { miss: `no HAR entry matches ${method} ${url.href}; the closest is ${near}` };
  }

  /** What a strict replay says of unused entries, if any. */
  unused() {
    const left = this.entries
      .map((slot, i) => (slot.used ? undefined : `#${i + 1} ${slot.entry.request.method} ${slot.entry.request.url}`))
      .filter(Boolean);
    return left.length ? `strict replay: ${left.length} HAR entr${left.length === 1 ? 'y was' : 'ies were'} never used: ${left.join(', ')}` : undefined;
  }
}

/**
 * The loopback server replays answer through; `current()` is the replay of
 * the call running (or undefined).
 */
export async function replayServer(current) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const replay = current();
      // The path holds the original origin, then the original path and query.
      const [, encoded, ...rest] = req.url.split('/');
      const url = new URL(`/${rest.join('/')}`, decodeURIComponent(encoded ?? ''));
      const found = replay?.match(req.method, url, Buffer.concat(chunks).toString('utf8'));
      if (!found?.response) {
        replay?.misses.push(found?.miss ?? 'no replay is running');
        // Not an answer the guest retries; the call fails with the miss.
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('replay miss');
        return;
      }
      const { status, headers = [], content = {} } = found.response;
      const skip = new Set(['content-length', 'transfer-encoding', 'connection', 'content-encoding']);
      for (const { name, value } of headers) {
        if (!skip.has(name.toLowerCase())) res.appendHeader(name, value);
      }
      if (content.mimeType && !res.hasHeader('content-type')) res.setHeader('content-type', content.mimeType);
      const body = Buffer.from(content.text ?? '', content.encoding === 'base64' ? 'base64' : 'utf8');
      res.writeHead(status);
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return server;
}
