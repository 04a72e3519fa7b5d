import { JetStreamApiCodes, JetStreamApiError, JetStreamError } from '@nats-io/jetstream';

/** What JetStream no longer has: the stream itself, or only a durable consumer on it. */
export type MissingResource = 'stream' | 'consumer';

/**
 * Whether `error` says a stream or consumer does not exist (e.g. NATS restarted with its store
 * lost): nats.js's typed API errors (10059 stream not found, 10014 consumer not found), or the 409
 * "consumer deleted" a pull consumer receives when its consumer is removed under it.
 */
export function missingResource(error: unknown): MissingResource | undefined {
  if (error instanceof JetStreamApiError) {
    if (error.code === JetStreamApiCodes.StreamNotFound) return 'stream';
    if (error.code === JetStreamApiCodes.ConsumerNotFound) return 'consumer';
    return undefined;
  }
  const deleted = (error as { isConsumerDeleted?: () => boolean } | undefined)?.isConsumerDeleted;
  if (error instanceof JetStreamError && typeof deleted === 'function' && deleted.call(error)) return 'consumer';
  return undefined;
}
