import { jetstreamManager, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { WirewatchError } from '@wirewatch/errors';
import { backoffDelay, pauseUnlessAborted } from '@wirewatch/retry';
import { missingResource } from './missing-resource.js';
import { isInvalidStreamConfig, isStreamNameInUse, isTimeout, permissionViolation } from './nats-errors.js';
import { streamDifferences, streamSettings, type StreamOptions, type StreamSettings } from './stream-settings.js';

export { streamDifferences, streamSettings, type StreamOptions, type StreamSettings } from './stream-settings.js';

/** Where `ensureStreams` says that a stream on NATS differs from the service's settings. */
export interface StreamWarnLog {
  warn(fields: object, message: string): void;
}

/** How an operator applies the settings (the services may only create a missing stream). */
export const APPLY_STREAMS_HINT =
  'as the NATS operator user, run `wirewatch streams apply` with these nats settings (docs/deploying.md)';

/**
 * Creates the WIREWATCH stream (`wirewatch.v1.>`) and the dead-letter stream where they are missing
 * (a fresh NATS, or one that lost its store); never changes one that exists. Every service calls it at
 * start, so whichever comes up first makes the streams. A stream whose settings differ in a way that
 * matters is left as it is and said in one warning, with how to apply the settings: the services'
 * NATS users may create streams but not update them (an update could add sources, a republish or a
 * seal), so changing a stream is the operator's step (`applyStreams`).
 */
export async function ensureStreams(
  nc: NatsConnection,
  options: StreamOptions = {},
  log?: StreamWarnLog,
): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  const differences: string[] = [];
  for (const wanted of streamSettings(options)) {
    const existing = await retryingTimeouts(() => createIfMissing(jsm, wanted));
    if (existing) differences.push(...streamDifferences(existing, wanted));
  }
  if (differences.length > 0) {
    log?.warn(
      { differences, apply: APPLY_STREAMS_HINT },
      "JetStream streams differ from this service's settings and were left as they are: services create missing streams, never change them",
    );
  }
  return jsm;
}

export interface AppliedStream {
  name: string;
  action: 'created' | 'updated' | 'unchanged';
  /** What was changed (`streamDifferences`), for `updated`. */
  differences: string[];
}

/** The operator's step: creates the streams or updates them to the settings (needs `STREAM.UPDATE`, which the services' users lack). */
export async function applyStreams(nc: NatsConnection, options: StreamOptions = {}): Promise<AppliedStream[]> {
  const jsm = await jetstreamManager(nc);
  const applied: AppliedStream[] = [];
  for (const wanted of streamSettings(options)) {
    const existing = await retryingTimeouts(() => createIfMissing(jsm, wanted));
    if (!existing) {
      applied.push({ name: wanted.name, action: 'created', differences: [] });
      continue;
    }
    const differences = streamDifferences(existing, wanted);
    // nats.js merges an update into the stream's configuration: what the settings never give is cleared explicitly
    if (differences.length > 0)
      await jsm.streams.update(wanted.name, { ...wanted, sources: undefined, mirror: undefined, republish: undefined });
    applied.push({ name: wanted.name, action: differences.length > 0 ? 'updated' : 'unchanged', differences });
  }
  return applied;
}

/** Why `applyStreams` failed, in one line with the way out. */
export function applyStreamsFailure(error: unknown): WirewatchError {
  const said = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  if (permissionViolation(error)) {
    return new WirewatchError(
      'nats-permission',
      `cannot apply the stream settings: ${said} (the services' users may not update streams: run this as the NATS operator user)`,
      { cause: error },
    );
  }
  // nats-server has one code for every configuration it refuses; which setting cannot change is in its words only
  const hint = isInvalidStreamConfig(error)
    ? ' (if NATS cannot change that in place: delete the stream as the operator, which loses its messages, and run this again)'
    : '';
  return new WirewatchError('nats', `cannot apply the stream settings: ${said}${hint}`, { cause: error });
}

/** The existing stream's configuration, or undefined once it has been created from `wanted`. */
async function createIfMissing(jsm: JetStreamManager, wanted: StreamSettings): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(wanted.name)).config;
  } catch (error) {
    if (missingResource(error) !== 'stream') throw error;
  }
  try {
    await jsm.streams.add(wanted);
    return undefined;
  } catch (error) {
    // another service created it between the two calls (with other settings: it is compared like any other)
    if (!isStreamNameInUse(error)) throw error;
    return (await jsm.streams.info(wanted.name)).config;
  }
}

const CREATE_ATTEMPTS = 4;
/** Waits of up to 1, 2 and 4 s between the attempts (jittered: services that collided retry apart). */
const CREATE_BACKOFF = { minDelayMs: 1000, maxDelayMs: 4000 };

/**
 * On a fresh cluster, a stream being created by one service makes another's create of it time out
 * (seen with two collectors starting at once on nats-server 2.9): creating is idempotent, so a timeout
 * is retried a few times before it counts. Exported for its test.
 */
export async function retryingTimeouts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= CREATE_ATTEMPTS || !isTimeout(error)) throw error;
      await pauseUnlessAborted(backoffDelay(n, CREATE_BACKOFF), undefined);
    }
  }
}
