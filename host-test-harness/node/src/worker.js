// The worker a connector runs in: it instantiates the transpiled component
// once and answers one call at a time, so the host's own thread stays free
// (and a call past its time limit can be stopped by ending the worker).

import { parentPort, workerData } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { CallState, importsFor } from './sandbox.js';

const { componentUrl } = workerData;
const { instantiate } = await import(componentUrl);
const call = new CallState();
const getCoreModule = async (name) =>
  WebAssembly.compile(await readFile(new URL(name, componentUrl)));
const root = await instantiate(getCoreModule, importsFor(call));

/** The component's exports, by the name the host asks for. */
const calls = {
  about: () => root.metadata.about(),
  connectionDefinitions: () => root.connections.definitions(),
  actionDefinitions: () => root.actions.definitions(),
  streams: () => (root.sync ? root.sync.streams() : []),
  check: (connection) => root.connections.check(connection),
  invoke: (action, connection, input) => root.actions.invoke(action, connection, input),
  read: (connection, config, state) => {
    if (!root.sync) {
      throw { tag: 'unsupported', val: 'this connector has no sync' };
    }
    return root.sync.read(connection, config, state);
  },
};

/** The contract's `error` a call ended with: a component's own, else `internal`. */
function errorOf(thrown) {
  const payload = thrown?.payload ?? thrown;
  if (payload && typeof payload.tag === 'string') {
    return payload;
  }
  return { tag: 'internal', val: `the component failed: ${thrown?.message ?? String(thrown)}` };
}

/** `value` with BigInt numbers (a rate limit's seconds) as Numbers, for postMessage. */
function plain(value) {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
}

parentPort.on('message', ({ id, method, args, secrets, hosts, loopback, clock }) => {
  call.begin(secrets ?? {}, hosts ?? [], loopback, clock);
  let reply;
  try {
    const value = calls[method](...args);
    reply = { id, value };
  } catch (thrown) {
    reply = { id, error: plain(errorOf(thrown)) };
  }
  reply.logs = call.logs;
  reply.refused = call.refused;
  parentPort.postMessage(reply);
});
parentPort.postMessage({ ready: true });
