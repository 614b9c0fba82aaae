// HAR replay and record for the Node host, with the Rust host's rules
// (DESIGN.md). Replay: method, origin and path exactly, query parameters in
// any order, JSON bodies compared as JSON where the entry has one; each
// entry answers once, in order; a request that matches nothing fails the
// call naming the closest entry; a strict replay fails when an entry is
// unused. Record: each request goes on to the network and the exchange is
// kept as a HAR 1.2 entry shaped as the Rust host writes it, with
// `Authorization`, `Proxy-Authorization`, `Cookie` and `Set-Cookie` values
// as `REDACTED` and every form of every secret redacted everywhere else.
//
// The component's requests are sent, after the allow-list has passed them,
// to a loopback server of this thread, with their origin carried in the
// path (see `sandbox.js`), and answered here: from the HAR, or by the network.

import http from 'node:http';
import https from 'node:https';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { REDACTED } from './redact.js';

/** The largest response body a recording reads, in bytes: the component's own cap. */
export const MAX_RECORDED_BODY = 32 * 1024 * 1024;

/** Headers of one hop only, never passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/** Headers whose whole value a recording keeps as `REDACTED`. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** The entries of a HAR (an object, or the path of a `.har` file). */
function entriesOf(har) {
  const data = typeof har === 'string' ? JSON.parse(readFileSync(har, 'utf8')) : har;
  const entries = data?.log?.entries;
  if (!Array.isArray(entries)) throw new Error('not a HAR 1.2 document: it has no log.entries');
  return entries;
}

/**
 * Whether a request body (a Buffer) matches an entry's `postData`: as JSON
 * when the entry's is JSON, as bytes when it is base64 (`_encoding`), else
 * as text.
 */
function sameBody(postData, actual) {
  const expected = postData?.text;
  if (expected === undefined || expected === '') return actual.length === 0;
  if (postData._encoding === 'base64') return Buffer.from(expected, 'base64').equals(actual);
  const text = actual.toString('utf8');
  try {
    return JSON.stringify(sortKeys(JSON.parse(expected))) === JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return expected === text;
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
      if (!sameBody(request.postData, body)) {
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

  /** The answer to a request (`body` a Buffer): the matching entry's response, or a miss. */
  async answer(method, url, _headers, body) {
    const found = this.match(method, url, body);
    if (!found.response) return found;
    const { status, headers = [], content = {} } = found.response;
    const bytes = Buffer.from(content.text ?? '', content.encoding === 'base64' ? 'base64' : 'utf8');
    const kept = headers.filter(({ name }) => !HOP_BY_HOP.has(name.toLowerCase()) && name.toLowerCase() !== 'content-encoding');
    if (content.mimeType && !kept.some(({ name }) => name.toLowerCase() === 'content-type')) {
      kept.push({ name: 'content-type', value: content.mimeType });
    }
    return { status, headers: kept, body: bytes };
  }
}

/**
 * A recording: requests go on to the network, each exchange kept as a
 * redacted HAR entry. One recording may span several calls (a sync run);
 * `har()` is the HAR so far, `write(path)` writes it (replacing the file
 * whole).
 */
export class Recording {
  entries = [];
  /** The redactor of the call running (set by the host for each call). */
  redactor;

  /** The HAR 1.2 document of the exchanges recorded so far. */
  har() {
    return { log: { version: '1.2', creator: { name: 'connector-host-node', version: '0.1.0' }, entries: this.entries } };
  }

  /** Writes the HAR to `path`, through a temporary file renamed over it. */
  write(path) {
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.har(), null, 2)}\n`);
    renameSync(temporary, path);
  }

  /** Sends the request to `url` and records the exchange. */
  async answer(method, url, headers, body) {
    const redactor = this.redactor;
    for (const [name, value] of headers) {
      if (name === 'authorization' || name === 'proxy-authorization') redactor.learnAuthorization(value);
    }
    const started = new Date();
    let response;
    try {
      response = await send(method, url, headers, body);
    } catch (error) {
      return { failed: redactor.redact(`the request to ${url.origin} failed: ${error.message}`) };
    }
    this.entries.push(entryOf(method, url, headers, body, response, redactor, started));
    return response;
  }
}

/** Sends one request to the network: its answer, the body read whole (up to the cap). */
function send(method, url, headers, body) {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, { method, headers: Object.fromEntries(headers) }, (res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_RECORDED_BODY) {
          res.destroy(new Error(`the answer is longer than ${MAX_RECORDED_BODY} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const pairs = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          pairs.push({ name: res.rawHeaders[i].toLowerCase(), value: res.rawHeaders[i + 1] });
        }
        resolve({
          status: res.statusCode,
          statusText: res.statusMessage ?? '',
          headers: pairs.filter(({ name }) => !HOP_BY_HOP.has(name)),
          body: Buffer.concat(chunks),
        });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A body as HAR keeps it: text when it is UTF-8, else base64. */
function bodyText(bytes) {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? { text } : { text: bytes.toString('base64'), base64: true };
}

/** Name-value pairs with credential headers as `REDACTED` and secrets redacted from the rest. */
function redactedHeaders(pairs, redactor) {
  return pairs.map(({ name, value }) => ({
    name,
    value: CREDENTIAL_HEADERS.has(name.toLowerCase()) ? REDACTED : redactor.redact(value),
  }));
}

/** One exchange as a HAR 1.2 entry, in the Rust host's shape, redacted. */
function entryOf(method, url, headers, requestBody, response, redactor, started) {
  const pairs = headers.map(([name, value]) => ({ name, value }));
  const header = (list, wanted) => list.find(({ name }) => name.toLowerCase() === wanted)?.value ?? '';
  let postData;
  if (requestBody.length) {
    const mimeType = header(pairs, 'content-type');
    const { text, base64 } = bodyText(redactor.redactBytes(requestBody));
    postData = base64 ? { mimeType, text, _encoding: 'base64' } : { mimeType, text: redactor.redact(text) };
  }
  const body = redactor.redactBytes(response.body);
  const { text, base64 } = bodyText(body);
  const content = { size: body.length, mimeType: header(response.headers, 'content-type') };
  if (body.length) content.text = text;
  if (base64) content.encoding = 'base64';
  return {
    startedDateTime: started.toISOString(),
    time: 0,
    request: {
      method,
      url: redactor.redact(url.href),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: redactedHeaders(pairs, redactor),
      queryString: [...url.searchParams].map(([name, value]) => ({ name: redactor.redact(name), value: redactor.redact(value) })),
      ...(postData ? { postData } : {}),
      headersSize: -1,
      bodySize: requestBody.length,
    },
    response: {
      status: response.status,
      statusText: response.statusText,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: redactedHeaders(response.headers, redactor),
      content,
      redirectURL: redactor.redact(header(response.headers, 'location')),
      headersSize: -1,
      bodySize: body.length,
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
  };
}

/**
 * The loopback server replays and recordings answer through; `current()`
 * is the replay or recording of the call running (or undefined).
 */
export async function loopbackServer(current) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const answerer = current();
      // The path holds the original origin, then the original path and query.
      const [, encoded, ...rest] = req.url.split('/');
      const url = new URL(`/${rest.join('/')}`, decodeURIComponent(encoded ?? ''));
      const headers = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i].toLowerCase();
        if (!HOP_BY_HOP.has(name)) headers.push([name, req.rawHeaders[i + 1]]);
      }
      const found = answerer
        ? await answerer.answer(req.method, url, headers, Buffer.concat(chunks))
        : { miss: 'no replay or recording is running' };
      if (found.failed) {
        // The network gave no answer: neither does this server, so the guest
        // sees the transport failure it would see live.
        req.socket.destroy();
        return;
      }
      if (found.miss) {
        answerer?.misses?.push(found.miss);
        // Not an answer the guest retries; the call fails with the miss.
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('replay miss');
        return;
      }
      for (const { name, value } of found.headers) res.appendHeader(name, value);
      res.writeHead(found.status);
      res.end(found.body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return server;
}
