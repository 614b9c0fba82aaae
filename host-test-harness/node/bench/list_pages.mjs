// Lists 10,000 pages (40 cursor pages of 250) from one loopback server with
// this package (`list-pages` with `fetch-all`) and, when PEER names a
// directory with confluence.js 3.2.0 installed (../shared/bench/peer-confluencejs
// after `npm ci`), with confluence.js in the same run; prints both times and
// the ratio. Run after `npm run build`:
//   PEER=/tmp/peer node bench/list_pages.mjs [ROUNDS]
// The server is ../shared/bench/fixture_server.py (or BENCH_SERVER). It
// builds each page the first time it is asked for and keeps it, so one
// untimed walk fills it first: otherwise whichever client goes first pays
// for the server's JSON encoding.
//
// Two figures, each client timed inside its own process around the listing
// alone:
// - fresh: a new Node process per listing, for both (as a short-lived job
//   runs: cold JIT, and for this package the component compiled and
//   instantiated before the clock starts); the order alternates per round;
// - warm: this package's later listings in one process (a long-lived host).
// `node bench/list_pages.mjs --once URL` is one fresh listing of ours.
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadConnector } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const input = { limit: 250, 'fetch-all': true, 'max-results': 20000 };

/** Loads the connector for `base` and times `rounds` listings in this process. */
async function listings(base, rounds) {
  const connector = await loadConnector({ secrets: { 'api-token': 'bench-token' } });
  const connection = { definition: 'basic', values: { email: 'someone@example.com', host: base } };
  try {
    const times = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const out = await connector.invoke('list-pages', connection, input);
      times.push(performance.now() - t0);
      if (out.body.results.length !== 10000) throw new Error(`listed ${out.body.results.length} pages`);
    }
    return times;
  } finally {
    await connector.close();
  }
}

if (process.argv[2] === '--once') {
  const [ms] = await listings(process.argv[3], 1);
  console.log(JSON.stringify({ ms }));
  process.exit(0);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const script =
  process.env.BENCH_SERVER ?? path.resolve(here, '../../../../shared/bench/fixture_server.py');
const rounds = Number(process.argv[2] ?? 5);
const server = spawn('python3', [script, '--pages', '10000'], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const port = await new Promise((resolve) => {
    server.stdout.on('data', (chunk) => {
      const match = /listening (\d+)/.exec(String(chunk));
      if (match) resolve(match[1]);
    });
  });
  const base = `http://127.0.0.1:${port}`;
  // The untimed walk that makes the server build every page once.
  for (let cursor = 0; cursor < 10000; cursor += 250) {
    await (await fetch(`${base}/wiki/api/v2/pages?limit=250&cursor=${cursor}`)).arrayBuffer();
  }
  const ours = () =>
    JSON.parse(execFileSync('node', [fileURLToPath(import.meta.url), '--once', base], { encoding: 'utf8' })).ms;
  const peer = () =>
    JSON.parse(execFileSync('node', ['list_all_pages.mjs', base], { cwd: process.env.PEER, encoding: 'utf8' })).ms;
  const fresh = { ours: [], peer: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
    for (const who of order) {
      if (who === 'ours') fresh.ours.push(ours());
      else if (process.env.PEER) fresh.peer.push(peer());
    }
    let line = `fresh round ${round + 1}: package_ms=${fresh.ours.at(-1).toFixed(1)}`;
    if (process.env.PEER) {
      const ratio = fresh.ours.at(-1) / fresh.peer.at(-1);
      line += ` confluencejs_ms=${fresh.peer.at(-1).toFixed(1)} ratio=${ratio.toFixed(2)} (${order[0]} first)`;
    }
    console.log(line);
  }
  const warm = (await listings(base, rounds + 1)).slice(1);
  console.log(`warm, one process: package_ms=${warm.map((t) => t.toFixed(1)).join(', ')}`);
  let summary = `medians: fresh package_ms=${median(fresh.ours).toFixed(1)} warm package_ms=${median(warm).toFixed(1)}`;
  if (process.env.PEER) {
    const peerMs = median(fresh.peer);
    summary += ` confluencejs_ms=${peerMs.toFixed(1)} ratio fresh=${(median(fresh.ours) / peerMs).toFixed(2)} warm=${(median(warm) / peerMs).toFixed(2)}`;
  }
  console.log(summary);
} finally {
  server.kill();
}
