import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { nanos } from '@nats-io/transport-node';
import { DEAD_LETTER_STREAM_NAME, DEAD_LETTER_SUBJECTS, STREAM_NAME, SUBJECT_ROOT } from '@wirewatch/protocol';

export interface StreamOptions {
  stream?: string;
  /** Copies of each message across a NATS cluster (1 on a single server, 3 on the cluster overlay). */
  replicas?: number;
  maxAgeSeconds?: number;
  maxBytes?: number;
  /** Window within which a resend with the same Nats-Msg-Id is dropped by the server. */
  duplicateWindowSeconds?: number;
}

/**
 * Creates or updates the WIREWATCH stream (`wirewatch.v1.>`) and the dead-letter stream. Idempotent:
 * every service calls it at start, so whichever comes up first makes the streams.
 */
export async function ensureStreams(nc: NatsConnection, options: StreamOptions = {}): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  const replicas = options.replicas ?? 1;
  await upsert(jsm, {
    name: options.stream ?? STREAM_NAME,
    subjects: [`${SUBJECT_ROOT}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: replicas,
    max_age: nanos((options.maxAgeSeconds ?? 24 * 3600) * 1000),
    max_bytes: options.maxBytes ?? 4 * 1024 ** 3,
    duplicate_window: nanos((options.duplicateWindowSeconds ?? 5 * 60) * 1000),
  });
  await upsert(jsm, {
    name: DEAD_LETTER_STREAM_NAME,
    subjects: [DEAD_LETTER_SUBJECTS],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: replicas,
    max_age: nanos(7 * 24 * 3600 * 1000),
    max_bytes: 256 * 1024 ** 2,
  });
  return jsm;
}

/**
 * On a fresh cluster, a stream being created by one service makes another's create or update of it
 * time out (seen with two collectors starting at once on nats-server 2.9): the call is idempotent, so
 * a timeout is retried a few times before it counts.
 */
async function upsert(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upsertOnce(jsm, config);
    } catch (error) {
      if (attempt >= 4 || !/timeout/i.test(`${(error as Error).name} ${(error as Error).message}`)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}

async function upsertOnce(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch {
    try {
      await jsm.streams.add(config);
      return;
    } catch (error) {
      // another service created it between our two calls
      if (!/already in use|exists/i.test((error as Error).message)) throw error;
    }
  }
  await jsm.streams.update(config.name, config);
}
