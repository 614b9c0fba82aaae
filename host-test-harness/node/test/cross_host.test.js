// The cross-host cases (../tests/cross-host/cases.json), which the Rust
// host's tests run too (tests/all/cross_host.rs): each fixture replayed
// through this host, its output or error compared with the same `expect`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withConnector } from './with_connector.js';

const tests = new URL('../../tests/', import.meta.url);
const doc = JSON.parse(readFileSync(new URL('cross-host/cases.json', tests), 'utf8'));

/** An output as the cases write it (binary as base64, empty as null). */
function outputJson(out) {
  const body =
    out.kind === 'binary' ? Buffer.from(out.body).toString('base64') : out.kind === 'empty' ? null : out.body;
  return { status: out.status, contentType: out.contentType ?? null, kind: out.kind, body };
}

/** An error as the cases write it. */
function errorJson(e) {
  if (!e.kind) throw e;
  const error = { kind: e.kind, message: e.message };
  if (e.field !== undefined) error.field = e.field;
  if (e.status !== undefined) error.status = e.status;
  return { error };
}

test('every cross-host case gives the answer the Rust host gives', async () => {
  assert.ok(doc.cases.length >= 10);
  await withConnector({ secrets: {} }, async (connector) => {
    for (const c of doc.cases) {
      const har = fileURLToPath(new URL(`fixtures/${c.fixture}.har`, tests));
      const replay = { har, strict: c.strict ?? true };
      const actual = await connector
        .invoke(c.action, doc.connection, c.input, { replay })
        .then(outputJson, errorJson);
      assert.deepEqual(actual, c.expect, c.name);
    }
  });
});

test('every cross-host sync reads the records the Rust host reads, whole and resumed', async () => {
  assert.ok(doc.syncs.length >= 1);
  for (const c of doc.syncs) {
    await withConnector({ secrets: {}, wallClockSeconds: c.clock }, async (connector) => {
      const har = fileURLToPath(new URL(`fixtures/${c.fixture}.har`, tests));
      const run = async (options) => {
        const records = [];
        const state = await connector.sync(doc.connection, c.config, {
          ...options,
          onBatch: async (batch) => records.push(...batch.records),
        });
        return { records, state };
      };
      const whole = await run({ replay: { har } });
      assert.deepEqual(whole, c.expect, c.name);
      // Stopped after some batches, then resumed from the state it left.
      const first = await run({ replay: { har, strict: false }, maxBatches: c.stopAfter });
      const rest = await run({ replay: { har, strict: false }, state: first.state });
      assert.deepEqual([...first.records, ...rest.records], c.expect.records, `${c.name}: resumed`);
      assert.equal(rest.state, c.expect.state);
    });
  }
});
