// Transpiles the connector component to ES modules and TypeScript types
// with jco (`--instantiation async`: the package gives every import itself,
// so the sandbox is its own): dist/component/. The component is the one the
// Rust build produced (`cargo build -p host-test-harness` or `cargo test`),
// or the file CONNECTOR_WASM names.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const wasm =
  process.env.CONNECTOR_WASM ??
  path.resolve(root, '../../target/component/wasm32-wasip2/release/confluence_connector.wasm');
if (!existsSync(wasm)) {
  console.error(
    `no component at ${wasm}: build it first (cargo build -p host-test-harness), or set CONNECTOR_WASM`,
  );
  process.exit(1);
}
const out = path.join(root, 'dist', 'component');
rmSync(out, { recursive: true, force: true });
const jco = path.join(root, 'node_modules', '.bin', 'jco');
execFileSync(
  jco,
  ['transpile', wasm, '--out-dir', out, '--name', 'connector', '--instantiation', 'async', '--quiet'],
  { stdio: 'inherit' },
);
console.log(`transpiled ${path.relative(process.cwd(), wasm)} to ${path.relative(process.cwd(), out)}`);
