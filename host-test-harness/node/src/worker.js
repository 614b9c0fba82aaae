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

/** `value` with every string and byte array redacted by `redactor`. */
function redacted(value, redactor) {
  if (typeof value === 'string') return redactor.redact(value);
  if (value instanceof Uint8Array) return redactor.redactBytes(value);
  if (Array.isArray(value)) return value.map((v) => redacted(v, redactor));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redacted(v, redactor)]));
  }
  return value;
}

parentPort.on('message', ({ id, method, args, secrets, hosts, values, loopback, clock }) => {
  call.begin(secrets ?? {}, hosts ?? [], loopback, clock, values ?? {});
  let reply;
  try {
    const value = calls[method](...args);
    // As the Rust host does: no form of a secret leaves, whatever the guest answered.
    reply = { id, value: redacted(value, call.redactor) };
  } catch (thrown) {
    reply = { id, error: redacted(plain(errorOf(thrown)), call.redactor) };
  }
  reply.logs = redacted(call.logs, call.redactor);
  reply.refused = call.refused;
  parentPort.postMessage(reply);
});
parentPort.postMessage({ ready: true });
