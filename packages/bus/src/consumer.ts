import { AckPolicy, DeliverPolicy, jetstream, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { STREAM_NAME } from '@wirewatch/protocol';

export interface DurableConsumerOptions {
  stream?: string;
  /** Durable name: every replica that uses the same name shares the work (each message goes to one). */
  name: string;
  filterSubject: string;
  /** How long a delivered message may stay unacknowledged before JetStream redelivers it. */
  ackWaitMs?: number;
  /** Unacknowledged messages in flight across all replicas. */
  maxAckPending?: number;
}

export async function ensureDurableConsumer(jsm: JetStreamManager, options: DurableConsumerOptions): Promise<void> {
  const stream = options.stream ?? STREAM_NAME;
  const config = {
    durable_name: options.name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_ack_pending: options.maxAckPending ?? 20_000,
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(stream, options.name);
    await jsm.consumers.update(stream, options.name, {
      ack_wait: config.ack_wait,
      max_ack_pending: config.max_ack_pending,
    });
  } catch (error) {
    if (!/consumer not found/i.test((error as Error).message)) throw error;
    try {
      await jsm.consumers.add(stream, config);
    } catch (addError) {
      if (!/already (in use|exists)/i.test((addError as Error).message)) throw addError;
    }
  }
}

export interface BatchConsumerOptions {
  stream?: string;
  name: string;
  /** Messages fetched per pull; the handler sees them together (one InfluxDB write per batch). */
  batchSize: number;
  /** How long a pull waits for a full batch before handing over what it has. */
  maxWaitMs: number;
  /** Ack wait of the consumer: in-progress batches are extended (`+WPI`) well before it runs out. */
  ackWaitMs: number;
  /**
   * Handles one batch. Resolving means every message is done with (the handler acked, termed or
   * dead-lettered each); rejecting leaves them to be redelivered.
   */
  handle: (messages: JsMsg[]) => Promise<void>;
  onError: (error: unknown) => void;
  signal: AbortSignal;
  /** While true, nothing is fetched (e.g. a replica that does not hold a leader lease). */
  paused?: () => boolean;
}

/**
 * Pulls batches from a durable pull consumer until `signal` aborts, one batch at a time (so acks of a
 * batch never race the next write), telling JetStream the batch is still being worked on while the
 * handler retries a slow or absent database.
 */
export async function runBatchConsumer(nc: NatsConnection, options: BatchConsumerOptions): Promise<void> {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(options.stream ?? STREAM_NAME, options.name);
  while (!options.signal.aborted) {
    if (options.paused?.()) {
      await delay(250, options.signal);
      continue;
    }
    const batch: JsMsg[] = [];
    try {
      const messages = await consumer.fetch({ max_messages: options.batchSize, expires: Math.max(1000, options.maxWaitMs) });
      for await (const m of messages) {
        batch.push(m);
        if (options.signal.aborted) break;
      }
    } catch (error) {
      if (options.signal.aborted) break;
      options.onError(error);
      await delay(500, options.signal);
      continue;
    }
    if (batch.length === 0) continue;
    const extend = setInterval(() => {
      for (const m of batch) m.working();
    }, Math.max(250, options.ackWaitMs / 3));
    try {
      await options.handle(batch);
    } catch (error) {
      options.onError(error);
      for (const m of batch) m.nak(1000);
    } finally {
      clearInterval(extend);
    }
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
