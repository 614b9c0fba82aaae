// Run an integration:connector component in Node.js. The component runs in
// a worker of its own (the host's thread stays free; a call past its time
// limit ends the worker, and the next call starts a fresh one); each call
// reaches only the hosts its connection's definition declares (`egress`,
// filled in from the connection's values) plus `allowHosts`, gets its
// secrets from the `secrets` callback, and fails with a `ConnectorError`,
// one class for the contract's `error` cases.

import { Worker } from 'node:worker_threads';
import { Recording, Replay, loopbackServer } from './har.js';
import { Redactor } from './redact.js';

export { Recording, Replay };

const DEFAULT_COMPONENT = new URL('../dist/component/connector.js', import.meta.url);
const DEFAULT_TIME_LIMIT_MS = 60_000;

/**
 * The contract's `error`: `kind` is its case (`invalid-input`,
 * `not-found`, `rate-limited`, ...); `field` names the input of an
 * `invalid-input`, `status` the service's answer of an `upstream`, and
 * `retryAfterSeconds` the wait of a `rate-limited`.
 */
export class ConnectorError extends Error {
  constructor(error) {
    const val = error.val;
    const message =
      typeof val === 'string' ? val : (val?.message ?? `the connector failed (${error.tag})`);
    super(message);
    this.name = 'ConnectorError';
    this.kind = error.tag;
    if (error.tag === 'invalid-input') this.field = val.field;
    if (error.tag === 'upstream') this.status = val.status;
    if (error.tag === 'rate-limited' && val.retryAfterSeconds !== undefined) {
      this.retryAfterSeconds = Number(val.retryAfterSeconds);
    }
  }
}

/** The host of a connection value: an address (`https://acme.example.com/x`) or a bare host. */
function hostOf(value) {
  const text = String(value).trim();
  if (!text) return undefined;
  try {
    return new URL(text.includes('://') ? text : `https://${text}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

/** `template` (such as `{host}`) filled in from `values`, or undefined when a value is missing. */
function fill(template, values) {
  let missing = false;
  const text = template.replace(/\{([^}]*)\}/g, (_, key) => {
    const value = values[key];
    if (typeof value !== 'string' || !value.trim()) missing = true;
    return typeof value === 'string' ? value.trim() : '';
  });
  return missing ? undefined : text;
}

/** A loaded connector component. Create one with {@link loadConnector}. */
export class Connector {
  #options;
  #worker;
  #ready;
  #pending = new Map();
  #next = 0;
  #definitions;
  /** The replay or recording of the call running, and the server both answer through. */
  #loopbackCall;
  #loopback;

  constructor(options) {
    this.#options = options;
  }

  /** Starts the worker; resolves once the component is instantiated. */
  async start() {
    this.#spawn();
    await this.#ready;
    this.metadata = await this.#call('about', []);
    this.connectionDefinitions = await this.#call('connectionDefinitions', []);
    this.actionDefinitions = await this.#call('actionDefinitions', []);
    this.streams = await this.#call('streams', []);
    this.#definitions = new Map(this.connectionDefinitions.map((d) => [d.key, d]));
    return this;
  }

  #spawn() {
    const componentUrl = String(this.#options.component ?? DEFAULT_COMPONENT);
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { componentUrl },
      env: {},
      stdin: false,
    });
    this.#worker = worker;
    this.#ready = new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (m) => (m.ready ? resolve() : reject(new Error('no ready message'))));
    }).then(() => {
      worker.on('message', (reply) => this.#answer(reply));
      worker.on('error', (e) => this.#failAll(e));
    });
  }

  #answer(reply) {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    for (const line of reply.logs ?? []) this.#options.onLog?.(line);
    if (reply.error) pending.reject(new ConnectorError(reply.error));
    else pending.resolve(reply.value);
  }

  #failAll(error) {
    for (const [, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }

  /**
   * Runs `method` in the worker with the secrets and allowed hosts `call`
   * (from `#prepare`) gives. With `http.replay` (a {@link Replay}, or
   * `{ har, strict }`) its requests are answered from the HAR: the call fails
   * when a request matches no entry or, `strict` (the default), when an
   * entry is left unused. With `http.record` (a {@link Recording}, or the
   * path of a `.har` file to write when the call ends) they go on to the
   * network and are recorded, redacted.
   */
  async #call(method, args, call = {}, http = {}) {
    const { secrets = {}, values = {} } = call;
    const { replay, record } = http;
    if (replay && record) throw new Error('a call either replays a HAR or records one, not both');
    if (!replay && !record) return this.#send(method, args, call);
    if (this.#loopbackCall) throw new Error('one replayed or recorded call at a time: await the one before');
    this.#loopback ??= await loopbackServer(() => this.#loopbackCall);
    // A sync run hands in its one Replay or Recording; a single call gets its own.
    let current;
    if (replay) current = replay instanceof Replay ? replay : new Replay(replay.har, { strict: replay.strict ?? true });
    else current = record instanceof Recording ? record : new Recording();
    current.misses = [];
    if (record) current.redactor = new Redactor(secrets, values);
    this.#loopbackCall = current;
    const authority = `127.0.0.1:${this.#loopback.address().port}`;
    try {
      const value = await this.#send(method, args, call, authority).catch((e) => {
        if (current.misses.length) throw new Error(current.misses[0]);
        throw e;
      });
      if (current.misses.length) throw new Error(current.misses[0]);
      const unused = replay && current.strict && !(replay instanceof Replay) ? current.unused() : undefined;
      if (unused) throw new Error(unused);
      return value;
    } finally {
      this.#loopbackCall = undefined;
      if (typeof record === 'string') current.write(record);
    }
  }

  async #send(method, args, { secrets = {}, hosts = [], values = {} } = {}, loopback) {
    await this.#ready;
    const id = this.#next++;
    const limit = this.#options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new ConnectorError({
            tag: 'transport',
            val: `the call ran past its time limit of ${limit} ms and was stopped`,
          }),
        );
        // The calls queued behind it end with it; the next ones get a fresh worker.
        this.#failAll(
          new ConnectorError({
            tag: 'transport',
            val: 'the call was stopped with one before it that ran past its time limit; try it again',
          }),
        );
        const worker = this.#worker;
        this.#spawn();
        worker.terminate();
      }, limit);
      this.#pending.set(id, { resolve, reject, timer });
      const clock = this.#options.wallClockSeconds;
      this.#worker.postMessage({ id, method, args, secrets, hosts, values, loopback, clock });
    });
  }

  /**
   * The contract's connection (values as JSON text) and what the call
   * needs. In a replay a secret the callback does not give is `REDACTED`,
   * as recorded HARs hold it (so replays need no credentials).
   */
  async #prepare(connection, replay) {
    const definition = this.#definitions.get(connection.definition);
    if (!definition) {
      const known = [...this.#definitions.keys()].join(', ');
      throw new ConnectorError({
        tag: 'invalid-connection',
        val: `no connection definition \`${connection.definition}\`; this connector has: ${known}`,
      });
    }
    const values = connection.values ?? {};
    const hosts = new Set(this.#options.allowHosts ?? []);
    for (const template of definition.egress) {
      const host = hostOf(fill(template, values) ?? '');
      if (host) hosts.add(host);
    }
    let keys = definition.inputs.filter((i) => i.kind === 'secret').map((i) => i.key);
    if (definition.auth.tag === 'oauth2') {
      // The app's client secret is the host's alone; the guest gets the access token.
      keys = [...keys.filter((k) => k !== 'client-secret'), 'access-token'];
    }
    const secrets = {};
    const source = this.#options.secrets;
    for (const key of keys) {
      const value =
        typeof source === 'function' ? await source(key, connection) : source?.[key];
      if (typeof value === 'string') secrets[key] = value;
      else if (replay) secrets[key] = 'REDACTED';
    }
    const wit = { definition: connection.definition, values: JSON.stringify(values) };
    return { wit, call: { secrets, hosts: [...hosts], values } };
  }

  /**
   * Proves the connection's credentials: what the connector learned (`store`
   * parsed). `options.replay` answers its requests from a HAR, and
   * `options.record` records them (see `invoke`).
   */
  async check(connection, options = {}) {
    const { wit, call } = await this.#prepare(connection, options.replay);
    const info = await this.#call('check', [wit], call, options);
    return { ...info, store: JSON.parse(info.store || '{}') };
  }

  /**
   * Runs action `action` with `input` (an object, or JSON text): its output,
   * `{ status, contentType, body }`, the body JSON parsed, text, binary
   * (`Uint8Array`) or empty (`undefined`). With `options.replay`
   * (`{ har, strict }`: a HAR object or the path of a `.har` file), its
   * requests are answered from the HAR instead of the network; with
   * `options.record` (the path of a `.har` file, or a {@link Recording})
   * they go to the network and are recorded, secrets redacted.
   */
  async invoke(action, connection, input = {}, options = {}) {
    const { wit, call } = await this.#prepare(connection, options.replay);
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    const output = await this.#call('invoke', [action, wit, text], call, options);
    const body = output.body.tag === 'json' ? JSON.parse(output.body.val) : output.body.val;
    return { status: output.status, contentType: output.contentType, kind: output.body.tag, body };
  }

  /**
   * Mirrors the service: reads batches until the run is complete, awaiting
   * `onBatch({ records, state })` after each (store the records, then the
   * state: a later run from it reads only what changed, and a run stopped
   * early resumes from it). Returns the last state. `maxBatches` stops
   * after that many; `replay` (`{ har, strict }`) answers the whole run from
   * one HAR, strict failing at the run's end on an unused entry; `record`
   * (a {@link Recording}, or the path of a `.har` file) records the whole
   * run into one HAR, written after each batch.
   */
  async sync(connection, config, { state, onBatch, maxBatches, replay, record } = {}) {
    const text = typeof config === 'string' ? config : JSON.stringify(config ?? {});
    const shared = replay ? new Replay(replay.har, { strict: replay.strict ?? true }) : undefined;
    const recording = typeof record === 'string' ? new Recording() : record;
    let current = state;
    for (let n = 1; ; n++) {
      const { wit, call } = await this.#prepare(connection, shared);
      let batch;
      try {
        batch = await this.#call('read', [wit, text, current], call, { replay: shared, record: recording });
      } finally {
        if (typeof record === 'string') recording.write(record);
      }
      const records = batch.records.map((r) => ({ ...r, data: JSON.parse(r.data) }));
      await onBatch?.({ records, state: batch.state });
      current = batch.state;
      if (!batch.more) {
        const unused = shared?.strict ? shared.unused() : undefined;
        if (unused) throw new Error(unused);
        return current;
      }
      if (maxBatches !== undefined && n >= maxBatches) return current;
    }
  }

  /** Ends the worker (and the loopback server of replays and recordings). */
  async close() {
    this.#failAll(new Error('the connector was closed'));
    this.#loopback?.close();
    await this.#worker?.terminate();
  }
}

/**
 * Loads a connector: `component` is the URL of a transpiled component's
 * `connector.js` (default: this package's build of the Confluence
 * connector); `secrets` a function `(key, connection) => value` (sync or
 * async) or an object of values; `allowHosts` hosts every call may reach
 * besides its connection's egress; `timeLimitMs` the limit of each call
 * (default 60 s); `onLog` receives the component's log lines;
 * `wallClockSeconds` stops the guest's wall clock at that time (for
 * reproducible tests).
 */
export async function loadConnector(options = {}) {
  return new Connector(options).start();
}
