// Types of the Node host's API. The contract's own types (definitions,
// outputs) are those jco generates from the component's WIT, re-exported here.

import type {
  ActionDefinition,
  ConnectionDefinition,
  ConnectorMetadata,
} from '../dist/component/interfaces/integration-connector-types.js';
import type { StreamDefinition } from '../dist/component/interfaces/integration-connector-sync.js';

export type { ActionDefinition, ConnectionDefinition, ConnectorMetadata, StreamDefinition };

/** A connection as a platform stores it: its definition's key and its values (never secrets). */
export interface Connection {
  definition: string;
  values: Record<string, unknown>;
}

/** The cases of the contract's `error`. */
export type ErrorKind =
  | 'invalid-input'
  | 'invalid-connection'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'upstream'
  | 'transport'
  | 'unsupported'
  | 'internal';

/** The contract's `error`, thrown by every call. */
export class ConnectorError extends Error {
  readonly kind: ErrorKind;
  /** The input at fault, for `invalid-input`. */
  readonly field?: string;
  /** The service's status, for `upstream`. */
  readonly status?: number;
  /** How long the service asked to wait, for `rate-limited`. */
  readonly retryAfterSeconds?: number;
}

/** An action's output, its body decoded. */
export type Output =
  | { status: number; contentType?: string; kind: 'json'; body: unknown }
  | { status: number; contentType?: string; kind: 'text'; body: string }
  | { status: number; contentType?: string; kind: 'binary'; body: Uint8Array }
  | { status: number; contentType?: string; kind: 'empty'; body: undefined };

/** What `check` learned; `store` holds values to merge into the stored connection. */
export interface ConnectionInfo {
  displayName?: string;
  url?: string;
  store: Record<string, unknown>;
}

/** One record of a sync batch. */
export interface SyncRecord {
  stream: string;
  id: string;
  operation: 'upsert' | 'delete';
  data: unknown;
}

/** A component log line. */
export interface LogLine {
  level: string;
  context: string;
  message: string;
}

/** Where a call's secrets come from: a callback (sync or async) or the values themselves. */
export type SecretSource =
  | ((key: string, connection: Connection) => string | undefined | Promise<string | undefined>)
  | Record<string, string>;

export interface LoadOptions {
  /** The URL of a transpiled component's `connector.js` (default: this package's build). */
  component?: string | URL;
  secrets?: SecretSource;
  /** Hosts every call may reach besides its connection's egress. */
  allowHosts?: string[];
  /** The time limit of each call, in milliseconds (default 60,000). */
  timeLimitMs?: number;
  onLog?: (line: LogLine) => void;
  /** Every read of the guest's wall clock gives this time (seconds since the epoch), for reproducible tests. */
  wallClockSeconds?: number;
}

/** Answer a call's requests from a HAR (an object, or the path of a `.har` file). */
export interface ReplayOptions {
  har: object | string;
  /** Fail when an entry is left unused (default true). */
  strict?: boolean;
}

/**
 * A recording: a call's requests go to the network and each exchange is kept
 * as a HAR 1.2 entry, credentials and every form of every secret `REDACTED`.
 * Pass one to several calls (or a sync run) to record them into one HAR.
 */
export class Recording {
  /** The entries recorded so far. */
  readonly entries: object[];
  /** The HAR 1.2 document of the entries so far. */
  har(): { log: { version: string; creator: { name: string; version: string }; entries: object[] } };
  /** Writes the HAR to `path`, replacing the file whole. */
  write(path: string): void;
}

/** Where a call's requests are answered from: a HAR, or the network while recording one. */
export interface HttpOptions {
  replay?: ReplayOptions;
  /** Record the call: the path of a `.har` file written when the call ends, or a {@link Recording}. */
  record?: string | Recording;
}

/** A loaded connector component, running in a worker of its own. */
export class Connector {
  readonly metadata: ConnectorMetadata;
  readonly connectionDefinitions: ConnectionDefinition[];
  readonly actionDefinitions: ActionDefinition[];
  readonly streams: StreamDefinition[];
  check(connection: Connection, options?: HttpOptions): Promise<ConnectionInfo>;
  invoke(
    action: string,
    connection: Connection,
    input?: object | string,
    options?: HttpOptions,
  ): Promise<Output>;
  sync(
    connection: Connection,
    config: object | string,
    options?: HttpOptions & {
      state?: string;
      onBatch?: (batch: { records: SyncRecord[]; state: string }) => void | Promise<void>;
      maxBatches?: number;
    },
  ): Promise<string>;
  close(): Promise<void>;
}

export function loadConnector(options?: LoadOptions): Promise<Connector>;
