import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, type NatsOptions } from './connection.js';

/** The logger calls a link makes (pino's shape). */
export interface LinkLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * A service's connection to NATS and what its readiness needs to know about it: whether the link is
 * up right now (false while the client reconnects) and, until the first connection, why it fails —
 * logged once per cause, kept for /readyz.
 */
export class NatsLink {
  up = false;
  connectError: string | undefined;
  nc: NatsConnection | undefined;

  constructor(
    private readonly name: string,
    private readonly log: LinkLog,
  ) {}

  /** Resolves once connected (retrying meanwhile); rejects only when `signal` aborts first. */
  async connect(options: NatsOptions, signal?: AbortSignal): Promise<NatsConnection> {
    const nc = await connectNats(options, {
      name: this.name,
      waitOnFirstConnect: true,
      signal,
      onConnectError: (message, changed) => {
        this.connectError = message;
        if (changed) this.log.warn({ err: message }, 'cannot connect to NATS yet; retrying');
      },
      onStatus: (event, detail) => {
        if (event === 'disconnect') this.up = false;
        if (event === 'reconnect') this.up = true;
        this.log.info({ event, detail }, 'NATS connection');
      },
    });
    this.nc = nc;
    this.up = true;
    this.connectError = undefined;
    return nc;
  }

  get connected(): boolean {
    return this.up && this.nc !== undefined && !this.nc.isClosed();
  }
}
