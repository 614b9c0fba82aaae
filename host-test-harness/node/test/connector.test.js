// The Node host through the transpiled Confluence component, against a
// loopback server in this process (the component runs in its worker, so
// this thread stays free to answer).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConnectorError } from '../src/index.js';
import { withConnector } from './with_connector.js';
import { CallState, hostOfAuthority, importsFor } from '../src/sandbox.js';

let server;
let origin;
let received = [];
// How the server answers a request: set by each test.
let answer = () => ({ status: 200, body: { results: [], _links: {} } });

before(async () => {
  server = http.createServer((req, res) => {
    received.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    const { status, body, headers } = answer(req);
    res.writeHead(status, { 'content-type': 'application/json', ...(headers ?? {}) });
    res.end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

const connection = () => ({ definition: 'basic', values: { email: 'a@b.c', host: origin } });

test('the catalog: metadata, connection and action definitions, streams', async () => {
  await withConnector({ secrets: {} }, async (connector) => {
    assert.equal(connector.metadata.name, 'confluence');
    assert.equal(connector.metadata.contractVersion, '0.2.0');
    const keys = connector.connectionDefinitions.map((d) => d.key);
    assert.ok(keys.includes('basic') && keys.includes('oauth2'), keys.join());
    // The 64 curated actions, and Raw Request and GraphQL.
    assert.equal(connector.actionDefinitions.length, 66);
    assert.ok(connector.actionDefinitions.some((a) => a.key === 'list-spaces'));
    assert.ok(connector.streams.length >= 14);
  });
});

test('invoke: the secret from the callback reaches the site, the output comes back parsed', async () => {
  received = [];
  answer = () => ({ status: 200, body: { results: [{ id: '98306', key: 'ENG', name: 'Engineering' }], _links: {} } });
  const asked = [];
  await withConnector({
    secrets: async (key) => {
      asked.push(key);
      return key === 'api-token' ? 'node-token' : undefined;
    },
  }, async (connector) => {
    const out = await connector.invoke('list-spaces', connection(), { limit: 5 });
    assert.equal(out.status, 200);
    assert.equal(out.kind, 'json');
    assert.equal(out.body.results[0].key, 'ENG');
    assert.deepEqual(asked, ['api-token']);
    assert.equal(received.length, 1);
    assert.equal(received[0].authorization, `Basic ${Buffer.from('a@b.c:node-token').toString('base64')}`);
  });
});

test('errors are ConnectorErrors naming their case and field', async () => {
  received = [];
  answer = () => ({
    status: 404,
    body: { errors: [{ status: 404, code: 'NOT_FOUND', title: 'Not Found', detail: null }] },
  });
  await withConnector({ secrets: { 'api-token': 't' } }, async (connector) => {
    await assert.rejects(connector.invoke('get-page', connection(), { 'page-id': 'abc' }), (e) => {
      assert.ok(e instanceof ConnectorError);
      assert.equal(e.kind, 'invalid-input');
      assert.equal(e.field, 'page-id');
      return true;
    });
    assert.equal(received.length, 0, 'nothing sent for bad input');
    await assert.rejects(connector.invoke('get-page', connection(), { 'page-id': '404404' }), (e) => e.kind === 'not-found');
    await assert.rejects(
      connector.invoke('list-spaces', { definition: 'nope', values: {} }),
      (e) => e.kind === 'invalid-connection' && /basic/.test(e.message),
    );
  });
});

test('a credential the site quotes back never reaches an output, an error or a log line', async () => {
  const token = 'quoted-back-token-7c1e';
  const basic = Buffer.from(`a@b.c:${token}`).toString('base64');
  const lines = [];
  await withConnector({ secrets: { 'api-token': token }, onLog: (line) => lines.push(line) }, async (connector) => {
    answer = (req) => ({
      status: 200,
      body: { results: [{ id: '1', key: 'ENG', name: `seen ${req.headers.authorization}`, note: token }], _links: {} },
    });
    const out = await connector.invoke('list-spaces', connection(), { limit: 5, debug: true });
    const text = JSON.stringify(out.body);
    assert.ok(!text.includes(token) && !text.includes(basic), text);
    assert.match(out.body.results[0].name, /^seen (Basic )?REDACTED$/);
    assert.equal(out.body.results[0].note, 'REDACTED');
    answer = () => ({ status: 500, body: { message: `internal error for ${token}` } });
    await assert.rejects(connector.invoke('list-spaces', connection(), {}), (e) => {
      assert.ok(e instanceof ConnectorError);
      assert.ok(!e.message.includes(token), e.message);
      return true;
    });
  });
  const logged = JSON.stringify(lines);
  assert.ok(lines.length > 0, 'debug logs lines');
  assert.ok(!logged.includes(token) && !logged.includes(basic), logged);
});

test('a 429 is waited out and retried', async () => {
  received = [];
  let calls = 0;
  answer = () =>
    calls++ === 0
      ? { status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } }
      : { status: 200, body: { results: [], _links: {} } };
  await withConnector({ secrets: { 'api-token': 't' } }, async (connector) => {
    const out = await connector.invoke('list-spaces', connection(), {});
    assert.equal(out.status, 200);
    assert.equal(received.length, 2);
  });
});

test('fetch-all follows every page', async () => {
  received = [];
  answer = (req) => {
    const n = Number(new URL(req.url, origin).searchParams.get('cursor') ?? '0');
    const next = n < 2 ? `/wiki/api/v2/spaces?cursor=${n + 1}` : undefined;
    return { status: 200, body: { results: [{ id: String(n) }], _links: next ? { next } : {} } };
  };
  await withConnector({ secrets: { 'api-token': 't' } }, async (connector) => {
    const out = await connector.invoke('list-spaces', connection(), { 'fetch-all': true });
    assert.deepEqual(out.body.results.map((r) => r.id), ['0', '1', '2']);
    assert.equal(received.length, 3);
  });
});

test('requests reach only the allowed hosts', async () => {
  // The guest refuses a foreign address itself, before anything is sent...
  received = [];
  await withConnector({ secrets: { 'api-token': 'never-sent' } }, async (connector) => {
    await assert.rejects(
      connector.invoke('raw-request', connection(), { method: 'GET', url: 'https://example.org/wiki/api/v2/spaces' }),
      (e) => e.kind === 'invalid-input' && e.field === 'url',
    );
    assert.equal(received.length, 0);
  });
  // ...and the host's handler refuses any request to a host the call does not allow.
  const call = new CallState();
  call.begin({ 'api-token': 't' }, ['acme.atlassian.net']);
  const { handle } = importsFor(call)['wasi:http/outgoing-handler'];
  assert.throws(
    () => handle({ authority: () => 'evil.example:443' }, undefined),
    (e) => e.tag === 'HTTP-request-denied',
  );
  assert.deepEqual(call.refused, ['evil.example']);
  assert.equal(hostOfAuthority('[::1]:8080'), '::1');
  assert.ok(call.allows('ACME.atlassian.net'));
});

test('a call past its time limit is stopped, and the next call works', async () => {
  received = [];
  answer = () => ({ status: 200, body: { results: [], _links: {} } });
  await withConnector({ secrets: { 'api-token': 't' }, timeLimitMs: 1500 }, async (connector) => {
    const slow = http.createServer(() => {});
    await new Promise((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const stuck = { definition: 'basic', values: { email: 'a@b.c', host: `http://127.0.0.1:${slow.address().port}` } };
    await assert.rejects(connector.invoke('list-spaces', stuck, {}), (e) => e.kind === 'transport' && /time limit/.test(e.message));
    slow.closeAllConnections();
    slow.close();
    const out = await connector.invoke('list-spaces', connection(), {});
    assert.equal(out.status, 200);
  });
});

test('sync: batches until the run is complete, each handed over with its state', async () => {
  received = [];
  answer = (req) => {
    const url = new URL(req.url, origin);
    if (url.pathname === '/wiki/api/v2/spaces') {
      return { status: 200, body: { results: [{ id: '98306', key: 'ENG', name: 'Engineering', type: 'global', status: 'current' }], _links: {} } };
    }
    return { status: 200, body: { results: [], _links: {} } };
  };
  await withConnector({ secrets: { 'api-token': 't' } }, async (connector) => {
    const batches = [];
    // Spaces alone: every other stream (as the config schema names them) off.
    const others = ['pages', 'blog-posts', 'page-attachments', 'page-comments', 'blog-post-attachments',
      'blog-post-comments', 'folders', 'labels', 'users', 'groups', 'space-permissions',
      'content-restrictions', 'audit'];
    const streams = Object.fromEntries(others.map((key) => [key, false]));
    const state = await connector.sync(connection(), { streams }, {
      onBatch: async (batch) => batches.push(batch),
    });
    assert.ok(batches.length >= 1);
    const records = batches.flatMap((b) => b.records);
    assert.deepEqual(records.map((r) => [r.stream, r.id, r.operation]), [['spaces', '98306', 'upsert']]);
    assert.equal(records[0].data.key, 'ENG');
    assert.equal(typeof state, 'string');
    assert.equal(state, batches.at(-1).state);
  });
});

const FIXTURES = new URL('../../tests/fixtures/', import.meta.url);
const acme = { definition: 'basic', values: { email: 'jane@acme.com', host: 'acme.atlassian.net' } };

test('HAR replay: the Rust host\'s fixtures answer, with its matching rules', async () => {
  await withConnector({ secrets: {} }, async (connector) => {
    const har = fileURLToPath(new URL('markdown-get.har', FIXTURES));
    const out = await connector.invoke('get-page-as-markdown', acme, { 'page-id': '11' }, { replay: { har } });
    assert.equal(out.body.id, '11');
    assert.match(out.body.markdown, /^# Release 2\.4/);
    // Another page: no entry matches, and the call says which one was closest.
    await assert.rejects(
      connector.invoke('get-page-as-markdown', acme, { 'page-id': '12' }, { replay: { har } }),
      /no HAR entry matches GET https:\/\/acme\.atlassian\.net\/wiki\/api\/v2\/pages\/12/,
    );
    // Strict: an entry left unused fails the call; lenient, it does not.
    const two = JSON.parse(readFileSync(har, 'utf8'));
    two.log.entries.push(two.log.entries[0]);
    await assert.rejects(
      connector.invoke('get-page-as-markdown', acme, { 'page-id': '11' }, { replay: { har: two } }),
      /1 HAR entry was never used/,
    );
    const lenient = await connector.invoke('get-page-as-markdown', acme, { 'page-id': '11' }, { replay: { har: two, strict: false } });
    assert.equal(lenient.status, 200);
  });
});
