// The import object a connector component is instantiated with: WASI from
// jco's preview2-shim, narrowed to what the contract grants. The guest sees
// no environment, no arguments and no stdin; its outgoing requests reach only
// the hosts the current call allows (the connection's egress, filled in from
// its values, plus the ones the host adds), and in a replay or a recording
// go on to the host's loopback server (`har.js`); the contract's `secrets` answer
// the current call's secrets, and `wasi:logging` lines are kept for it.

import { cli, clocks, http, io, random } from '@bytecodealliance/preview2-shim';
import { Redactor } from './redact.js';

/**
 * What the imports answer for the call that is running: set by the worker
 * before each call.
 */
export class CallState {
  constructor() {
    this.begin({}, [], undefined, undefined, {});
  }

  /**
   * Starts a call with these secrets (key to value) and allowed hosts; with
   * `loopback` (the `host:port` of the host's replay and record server), its
   * requests go there. `values` are the connection's: with the secrets and
   * the `Authorization` values the guest sends, they make the call's
   * redactor.
   */
  begin(secrets, hosts, loopback, clock, values) {
    this.secrets = new Map(Object.entries(secrets));
    this.redactor = new Redactor(secrets, values);
    this.hosts = new Set(hosts.map((h) => h.toLowerCase()));
    this.loopback = loopback;
    /** Seconds since the epoch every read of the wall clock gives, when set (for reproducible tests). */
    this.clock = clock;
    this.logs = [];
    this.refused = [];
  }

  /** Whether a request may go to `host`. */
  allows(host) {
    return this.hosts.has(host.toLowerCase());
  }
}

/** The host part of an authority (`acme.example.com:8443`, `[::1]:80`). */
export function hostOfAuthority(authority) {
  const text = authority.trim();
  if (text.startsWith('[')) {
    return text.slice(1, text.indexOf(']'));
  }
  return text.split(':')[0];
}

/** Decodes header values. */
const TEXT = new TextDecoder();

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'critical'];

/** The import object, answering from `call`. */
export function importsFor(call) {
  const denied = () => {
    // The contract's `error-code` for a request the host refuses.
    throw { tag: 'HTTP-request-denied' };
  };
  return {
    'integration:connector/secrets': {
      get: (key) => call.secrets.get(key),
    },
    'integration:connector/types': {},
    'wasi:logging/logging': {
      log: (level, context, message) => {
        const name = typeof level === 'string' ? level : LEVELS[level] ?? String(level);
        call.logs.push({ level: name, context, message });
      },
    },
    'wasi:http/outgoing-handler': {
      handle(request, options) {
        const host = hostOfAuthority(request.authority() ?? '');
        if (!call.allows(host)) {
          call.refused.push(host);
          return denied();
        }
        for (const value of request.headers().get('authorization')) {
          call.redactor.learnAuthorization(TEXT.decode(value));
        }
        if (call.loopback) {
          // To the replay and record server, the original origin carried in the path.
          const scheme = request.scheme();
          const name = scheme?.tag === 'other' ? scheme.val : (scheme?.tag ?? 'HTTPS').toLowerCase();
          const origin = `${name}://${request.authority()}`;
          const path = request.pathWithQuery() ?? '/';
          request.setScheme({ tag: 'HTTP' });
          request.setAuthority(call.loopback);
          request.setPathWithQuery(`/${encodeURIComponent(origin)}${path}`);
        }
        return http.outgoingHandler.handle(request, options);
      },
    },
    'wasi:http/types': http.types,
    'wasi:cli/environment': {
      getEnvironment: () => [],
      getArguments: () => [],
      initialCwd: () => undefined,
    },
    'wasi:cli/exit': cli.exit,
    'wasi:cli/stdin': {
      getStdin: () => {
        throw new Error('a connector has no stdin');
      },
    },
    'wasi:cli/stdout': cli.stdout,
    'wasi:cli/stderr': cli.stderr,
    'wasi:cli/terminal-input': cli.terminalInput,
    'wasi:cli/terminal-output': cli.terminalOutput,
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
    'wasi:clocks/monotonic-clock': clocks.monotonicClock,
    'wasi:clocks/wall-clock': {
      now: () =>
        call.clock === undefined
          ? clocks.wallClock.now()
          : { seconds: BigInt(call.clock), nanoseconds: 0 },
      resolution: () => clocks.wallClock.resolution(),
    },
    'wasi:io/error': io.error,
    'wasi:io/poll': io.poll,
    'wasi:io/streams': io.streams,
    'wasi:random/insecure-seed': random.insecureSeed,
    'wasi:random/random': random.random,
  };
}
