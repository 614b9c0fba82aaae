// Lists 10,000 pages (40 cursor pages of 250) from one loopback server with
// this package (`list-pages` with `fetch-all`, timed inside this process)
// and, when PEER names a directory with confluence.js 3.2.0 installed
// (../shared/bench/peer-confluencejs after `npm ci`), with confluence.js in
// the same run; prints both times and the ratio. Run after `npm run build`:
//   PEER=/tmp/peer node bench/list_pages.mjs [RUNS]
// The server is ../shared/bench/fixture_server.py (or BENCH_SERVER).
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadConnector } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const script =
  process.env.BENCH_SERVER ?? path.resolve(here, '../../../../shared/bench/fixture_server.py');
const runs = Number(process.argv[2] ?? 3);
const server = spawn('python3', [script, '--pages', '10000'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => {
  server.stdout.on('data', (chunk) => {
    const match = /listening (\d+)/.exec(String(chunk));
    if (match) resolve(match[1]);
  });
});
const base = `http://127.0.0.1:${port}`;
const connector = await loadConnector({ secrets: { 'api-token': 'bench-token' } });
const connection = { definition: 'basic', values: { email: 'someone@example.com', host: base } };
const input = { limit: 250, 'fetch-all': true, 'max-results': 20000 };
try {
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    const out = await connector.invoke('list-pages', connection, input);
    const ours = performance.now() - t0;
    let line = `package_ms=${ours.toFixed(1)} pages=${out.body.results.length}`;
    if (process.env.PEER) {
      const peer = JSON.parse(
        execFileSync('node', ['list_all_pages.mjs', base], { cwd: process.env.PEER, encoding: 'utf8' }),
      );
      line += ` confluencejs_ms=${peer.ms} pages=${peer.pages} ratio=${(ours / peer.ms).toFixed(2)}`;
    }
    console.log(line);
  }
} finally {
  await connector.close();
  server.kill();
}
