import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { readFileSync } from 'node:fs';

/** How to reach NATS: every option a multi-host deployment needs (credentials, TLS), none required on a lab. */
export interface NatsOptions {
  /** One or more server URLs, e.g. `nats://nats-1:4222,nats://nats-2:4222` or `tls://...`. */
  servers: string[];
  user?: string;
  password?: string;
  token?: string;
  /** A `.creds` file (JWT + nkey seed) as issued by `nsc`. */
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export interface ConnectOptions {
  /** Client name shown in NATS monitoring, e.g. `wirewatch-sensor edge-1`. */
  name: string;
  /** Keep trying the first connection instead of failing (the sensor captures meanwhile). */
  waitOnFirstConnect?: boolean;
  onStatus?: (event: string, detail: string) => void;
}

export async function connectNats(options: NatsOptions, how: ConnectOptions): Promise<NatsConnection> {
  const tls = options.tls && (options.tls.caFile || options.tls.certFile || options.tls.keyFile) ? options.tls : undefined;
  const secure = tls !== undefined || options.servers.some((s) => s.startsWith('tls://'));
  const nc = await connect({
    servers: options.servers,
    name: how.name,
    user: options.user,
    pass: options.password,
    token: options.token,
    authenticator: options.credsFile ? credsAuthenticator(readFileSync(options.credsFile)) : undefined,
    tls: secure ? (tls ?? {}) : undefined,
    waitOnFirstConnect: how.waitOnFirstConnect ?? false,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 10_000,
  });
  if (how.onStatus) void watchStatus(nc, how.onStatus);
  return nc;
}

async function watchStatus(nc: NatsConnection, onStatus: (event: string, detail: string) => void): Promise<void> {
  for await (const s of nc.status()) {
    const detail = 'server' in s && s.server !== undefined ? String(s.server) : 'error' in s ? String(s.error) : '';
    onStatus(s.type, detail);
  }
}

/** One line for a connection failure, e.g. for a CLI exit. */
export function describeNatsError(error: unknown): string {
  const e = error as { message?: string; code?: string };
  return e.message ?? String(error);
}
