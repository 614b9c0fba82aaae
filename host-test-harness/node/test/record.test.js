// HAR record in the Node host: every cross-host case and the cross-host sync
// recorded from a loopback site (which answers from the case's fixture), the
// recording replayed strictly with no secrets to the same output, the
// outputs the same as the Rust host's, and no form of the secret anywhere in
// the HAR. `CROSS_HOST_RECORD=1 npm test` also writes the cases' recordings
// to ../tests/cross-host/recorded-by-node/, which the Rust host replays.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Recording, Replay } from '../src/index.js';
import { Redactor, formsOf } from '../src/redact.js';
import { withConnector } from './with_connector.js';
import { doc, outcome, tests } from './cases.js';

const fixture = (name) => fileURLToPath(new URL(`fixtures/${name}.har`, tests));
const recordedByNode = new URL('cross-host/recorded-by-node/', tests);

const SECRET = 'record-secret-token-5f3a';
const email = doc.connection.values.email;

// The site: answers from the fixture `site.replay` holds, whatever origin the
// request came to, quoting the credential back in a header and a cookie (a
// recording must not keep either).
const site = { replay: undefined };
let server;
let origin;
let dir;

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const first = site.replay.entries.find((slot) => !slot.used) ?? site.replay.entries[0];
      const url = new URL(req.url, new URL(first.entry.request.url).origin);
      const found = await site.replay.answer(req.method, url, [], Buffer.concat(chunks));
      if (found.miss) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(found.miss);
        return;
      }
      for (const { name, value } of found.headers) {
        // A redirect to another of the fixture's origins comes back here too.
        res.appendHeader(name, name.toLowerCase() === 'location' ? value.replace(/^https:\/\/[^/]+/, origin) : value);
      }
      res.setHeader('x-echo', `${req.headers.authorization} ${SECRET}`);
      res.setHeader('set-cookie', `session=${SECRET}`);
      res.writeHead(found.status);
      res.end(found.body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'node-host-record-'));
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const connection = () => ({ ...doc.connection, values: { ...doc.connection.values, host: origin } });

/** A value with the loopback site's origin written as the fixtures' site. */
function asFixtureSite(value) {
  return JSON.parse(JSON.stringify(value).split(origin).join('https://acme.atlassian.net'));
}

/** Fails when any form of the secret, or of the Basic credential it makes, is in `text`. */
function assertNoSecret(text, what) {
  for (const value of [SECRET, `${email}:${SECRET}`]) {
    for (const form of formsOf(value)) {
      assert.ok(!text.includes(form), `${what} holds the secret as ${JSON.stringify(form)}`);
    }
  }
}

test('every cross-host case recorded from a site replays, with no secret, to the answer it recorded', async () => {
  await withConnector({ secrets: { 'api-token': SECRET } }, async (recorder) => {
    await withConnector({ secrets: {} }, async (replayer) => {
      for (const c of doc.cases) {
        site.replay = new Replay(fixture(c.fixture), { strict: false });
        const har = path.join(dir, `${c.fixture}-${doc.cases.indexOf(c)}.har`);
        const recorded = await outcome(recorder.invoke(c.action, connection(), c.input, { record: har }));
        assert.deepEqual(asFixtureSite(recorded), c.expect, `${c.name}: recorded`);
        const text = readFileSync(har, 'utf8');
        assertNoSecret(text, `${c.name}: the HAR`);
        const entries = JSON.parse(text).log.entries;
        const sent = site.replay.entries.filter((slot) => slot.used).length;
        assert.equal(entries.length, sent, `${c.name}: one entry per request`);
        for (const entry of entries) {
          const value = (name) => entry.request.headers.find((h) => h.name === name)?.value;
          assert.equal(value('authorization'), 'REDACTED', c.name);
          assert.equal(entry.response.headers.find((h) => h.name === 'set-cookie')?.value, 'REDACTED');
          assert.ok(entry.response.headers.some((h) => h.name === 'x-echo' && h.value.includes('REDACTED')));
        }
        const replayed = await outcome(replayer.invoke(c.action, connection(), c.input, { replay: { har } }));
        assert.deepEqual(replayed, recorded, `${c.name}: replayed`);
        if (process.env.CROSS_HOST_RECORD === '1') {
          // The recordings the Rust host replays (tests/all/cross_host.rs).
          mkdirSync(recordedByNode, { recursive: true });
          copyFileSync(har, new URL(`${doc.cases.indexOf(c)}.har`, recordedByNode));
        }
      }
    });
  });
});

test('a sync run is recorded into one HAR that replays to the same records and state', async () => {
  const c = doc.syncs[0];
  const run = async (secrets, options) =>
    withConnector({ secrets, wallClockSeconds: c.clock }, async (connector) => {
      const records = [];
      const state = await connector.sync(connection(), c.config, {
        ...options,
        onBatch: async (batch) => records.push(...batch.records),
      });
      return { records, state };
    });
  site.replay = new Replay(fixture(c.fixture), { strict: false });
  const recording = new Recording();
  const recorded = await run({ 'api-token': SECRET }, { record: recording });
  assert.deepEqual(asFixtureSite(recorded.records), c.expect.records);
  const har = path.join(dir, 'sync.har');
  recording.write(har);
  const text = readFileSync(har, 'utf8');
  assertNoSecret(text, 'the sync HAR');
  assert.equal(JSON.parse(text).log.entries.length, site.replay.entries.filter((s) => s.used).length);
  const replayed = await run({}, { replay: { har } });
  assert.deepEqual(replayed, recorded);
});

test('the redactor finds a secret in every form the Rust host does', () => {
  const redactor = new Redactor({ 'api-token': SECRET }, { email });
  const basic = Buffer.from(`${email}:${SECRET}`).toString('base64');
  const inside = Buffer.from(`{"auth":"${email}:${SECRET}"}`).toString('base64');
  for (const text of [
    SECRET,
    `token=${encodeURIComponent(SECRET)}`,
    `Basic ${basic}`,
    Buffer.from(SECRET).toString('base64url'),
    inside,
  ]) {
    assert.ok(!redactor.redact(text).includes(SECRET), text);
    assertNoSecret(redactor.redact(text), text);
  }
  // What the guest sent is learnt, even a credential the host never had.
  redactor.learnAuthorization('Bearer other-token-from-elsewhere');
  assert.equal(redactor.redact('x other-token-from-elsewhere y'), 'x REDACTED y');
  assert.equal(redactor.redactBytes(Buffer.from(`a${SECRET}b`)).toString(), 'aREDACTEDb');
});

test('a recorded request the network does not answer is the transport error it is live, and is not recorded', async () => {
  const closed = http.createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const unreachable = `http://127.0.0.1:${closed.address().port}`;
  await new Promise((resolve) => closed.close(resolve));
  const recording = new Recording();
  await withConnector({ secrets: { 'api-token': SECRET } }, async (connector) => {
    const values = { ...doc.connection.values, host: unreachable };
    await assert.rejects(
      connector.invoke('get-space', { ...doc.connection, values }, { 'space-id': '1' }, { record: recording }),
      (e) => {
        assert.equal(e.kind, 'transport', e.message);
        assertNoSecret(e.message, 'the error');
        return true;
      },
    );
  });
  assert.equal(recording.entries.length, 0);
});
