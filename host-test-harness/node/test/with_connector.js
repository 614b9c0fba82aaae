// Loads a connector with `options`, runs `body` with it, and closes it
// whatever `body` did.

import { loadConnector } from '../src/index.js';

export async function withConnector(options, body) {
  const connector = await loadConnector(options);
  try {
    return await body(connector);
  } finally {
    await connector.close();
  }
}
