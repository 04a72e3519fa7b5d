import { connect, credsAuthenticator, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { backoffDelay, pauseUnlessAborted } from '@wirewatch/retry';
import { readFileSync } from 'node:fs';
import { isTimeout } from './nats-errors.js';

/** How to reach NATS: every option a multi-host deployment needs (credentials, TLS), none required on a lab. */
export interface NatsOptions {
  /** One or more server URLs, e.g. `nats://nats-1:4222,nats://nats-2:4222` or `tls://...`. */
  servers: string[];
  user?: string;
  password?: string;
  token?: string;
  /** A `.creds` file (JWT + nkey seed) as issued by `nsc`. */
  credsFile?: string;
  /** A file holding a user NKey seed (`SU...`), for a server that lists the user by its public key. */
  nkeySeedFile?: string;
  /**
   * Prefix of this client's reply subjects (JetStream acks, pulled messages, KV reads); the server
   * may then allow it to subscribe to `<prefix>.>` only, instead of every client's `_INBOX.>`.
   */
  inboxPrefix?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export interface ConnectOptions {
  /** Client name shown in NATS monitoring, e.g. `wirewatch-sensor edge-1`. */
  name: string;
  /** Keep trying the first connection instead of failing (the sensor captures meanwhile). */
  waitOnFirstConnect?: boolean;
  /** Each failed first-connection attempt while waiting: `changed` is false when it failed the same way as the last one. */
  onConnectError?: (message: string, changed: boolean) => void;
  /** Stops waiting for the first connection (the promise then rejects). */
  signal?: AbortSignal;
  onStatus?: (event: string, detail: string) => void;
}

/**
 * Connects, and with `waitOnFirstConnect` keeps trying (backing off to 5 s) until NATS answers, telling
 * `onConnectError` why each attempt failed (unreachable, authorization violation, TLS) so a service
 * can log it and show it in /readyz rather than wait in silence. Once connected, the client
 * reconnects by itself forever.
 */
export async function connectNats(options: NatsOptions, how: ConnectOptions): Promise<NatsConnection> {
  let last = '';
  for (let failures = 1; ; failures++) {
    try {
      return await connectOnce(options, how);
    } catch (error) {
      const message = describeNatsError(error, options);
      if (!how.waitOnFirstConnect || how.signal?.aborted)
        throw message === describeNatsError(error) ? error : new Error(message, { cause: error });
      how.onConnectError?.(message, message !== last);
      last = message;
      await pauseUnlessAborted(backoffDelay(failures, FIRST_CONNECT_BACKOFF), how.signal);
    }
  }
}

/** Between attempts at the first connection: from 250 ms, doubling, up to 5 s. */
const FIRST_CONNECT_BACKOFF = { minDelayMs: 250, maxDelayMs: 5000 };

async function connectOnce(options: NatsOptions, how: ConnectOptions): Promise<NatsConnection> {
  const tls =
    options.tls && (options.tls.caFile || options.tls.certFile || options.tls.keyFile) ? options.tls : undefined;
  const secure = tls !== undefined || options.servers.some((s) => s.startsWith('tls://'));
  const nc = await connect({
    servers: options.servers,
    name: how.name,
    user: options.user,
    pass: options.password,
    token: options.token,
    authenticator: authenticator(options),
    inboxPrefix: options.inboxPrefix,
    tls: secure ? (tls ?? {}) : undefined,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 10_000,
  });
  if (how.onStatus) void watchStatus(nc, how.onStatus);
  return nc;
}

function authenticator(options: NatsOptions) {
  if (options.credsFile) return credsAuthenticator(readFileSync(options.credsFile));
  if (options.nkeySeedFile) return nkeyAuthenticator(readNkeySeed(options.nkeySeedFile));
  return undefined;
}

/** The seed out of a seed file: the first line starting `SU` (a file may carry comments, as `nsc`'s do). */
export function readNkeySeed(file: string): Uint8Array {
  const seed = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('SU'));
  if (!seed) throw new Error(`${file}: no user NKey seed (a line starting with SU)`);
  return new TextEncoder().encode(seed);
}

async function watchStatus(nc: NatsConnection, onStatus: (event: string, detail: string) => void): Promise<void> {
  for await (const s of nc.status()) {
    const detail = 'server' in s && s.server !== undefined ? String(s.server) : 'error' in s ? String(s.error) : '';
    onStatus(s.type, detail);
  }
}

/**
 * One line for a connection failure (never includes credentials: nats.js messages do not carry them).
 * A server that requires client certificates drops a TLS client without one, which nats.js reports as
 * a bare timeout after 20 s: with TLS and no client certificate configured, the line says so.
 */
export function describeNatsError(error: unknown, options?: Pick<NatsOptions, 'servers' | 'tls'>): string {
  const e = error as { message?: string; cause?: { message?: string } };
  const message = e.message ?? String(error);
  const cause = e.cause?.message;
  const line = (cause && !message.includes(cause) ? `${message}: ${cause}` : message).split('\n')[0];
  const tls = options && (options.tls?.caFile || options.servers.some((s) => s.startsWith('tls://')));
  if (tls && !options.tls?.certFile && isTimeout(error)) {
    return `${line} (if the NATS server requires client certificates, give one: --nats-cert and --nats-key)`;
  }
  return line;
}
