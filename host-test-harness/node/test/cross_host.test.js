// The cross-host cases (../tests/cross-host/cases.json), which the Rust
// host's tests run too (tests/all/cross_host.rs): each fixture replayed
// through this host, its output or error compared with the same `expect`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { withConnector } from './with_connector.js';
import { doc, outcome, tests } from './cases.js';

test('every cross-host case gives the answer the Rust host gives', async () => {
  assert.ok(doc.cases.length >= 10);
  await withConnector({ secrets: {} }, async (connector) => {
    for (const c of doc.cases) {
      const har = fileURLToPath(new URL(`fixtures/${c.fixture}.har`, tests));
      const replay = { har, strict: c.strict ?? true };
      const actual = await outcome(connector.invoke(c.action, doc.connection, c.input, { replay }));
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
