/**
 * The lab's NATS users (deploy/nats/accounts.conf, passwords from deploy/.env.example) and what
 * their services set, and ways to see the server refuse something: a refused publish or request
 * comes back as a permissions violation, a refused subscription errors its callback.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { REPO } from '../deploy/image-build.js';
import { waitFor } from '../harness/index.js';

/** NATS_*_PASSWORD of the lab's env file, as compose hands them to the NATS container. */
export const LAB_NATS_ENV: Record<string, string> = Object.fromEntries(
  readFileSync(join(REPO, 'deploy/.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^NATS_\w+_PASSWORD=/.test(line))
    .map((line) => line.split('=') as [string, string]),
);

/** The inbox prefixes docker-compose.yml gives the services (WIREWATCH_NATS_INBOX_PREFIX); a sensor's is _INBOX.sensor.<id>. */
export const INBOX = { collector: '_INBOX.collector', alerter: '_INBOX.alerter' } as const;

export type PasswordUser = 'sensor' | 'collector' | 'alerter' | 'operator';

/** A connection as one of the lab's password users, with the inbox prefix its service uses. */
export function connectAs(
  servers: string | string[],
  user: PasswordUser,
  inboxPrefix = defaultInbox(user),
): Promise<WatchedConnection> {
  return watched(connect({ servers, user, pass: LAB_NATS_ENV[`NATS_${user.toUpperCase()}_PASSWORD`], inboxPrefix }));
}

function defaultInbox(user: PasswordUser): string | undefined {
  if (user === 'sensor') return '_INBOX.sensor.lab';
  return user === 'operator' ? undefined : INBOX[user];
}

export interface WatchedConnection {
  nc: NatsConnection;
  /** Every asynchronous error the server sent (permission violations name the subject). */
  errors: string[];
}

export async function watched(connecting: Promise<NatsConnection>): Promise<WatchedConnection> {
  const nc = await connecting;
  const errors: string[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'error') errors.push(String(s.error));
  })();
  return { nc, errors };
}

/** Publishes (core NATS, no reply) and resolves with the server's refusal of that subject. */
export async function refusedPublish(c: WatchedConnection, subject: string): Promise<string> {
  const before = c.errors.length;
  c.nc.publish(subject, new TextEncoder().encode('{"forged":true}'));
  await c.nc.flush();
  const mine = () => c.errors.slice(before).find((e) => e.includes(`Publish to "${subject}"`));
  await waitFor(() => mine() !== undefined, {
    what: `the server's refusal of a publish to ${subject}`,
    timeoutMs: 5_000,
  });
  return mine()!;
}

/**
 * Subscribes and resolves with the error the server refused the subscription with (a permissions
 * violation); rejects, naming the subject, if the server accepted it. The server answers a SUB before
 * the PING that follows it, and nats.js hands a subscription's refusal to its callback as it reads it,
 * so once the flush's PONG is in, a refusal would have arrived.
 */
export async function subscriptionError(c: WatchedConnection, subject: string): Promise<string> {
  let refusal: string | undefined;
  const sub = c.nc.subscribe(subject, {
    callback: (error) => {
      if (error) refusal ??= String(error);
    },
  });
  await c.nc.flush();
  if (refusal !== undefined) return refusal;
  sub.unsubscribe();
  throw new Error(`the server accepted a subscription to ${subject} (no refusal before the flush's PONG)`);
}
