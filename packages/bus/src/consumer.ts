import { AckPolicy, DeliverPolicy, jetstream, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { STREAM_NAME } from '@wirewatch/protocol';
import { pauseUnlessAborted } from '@wirewatch/retry';
import { missingResource, type MissingResource } from './missing-resource.js';
import { isConsumerNameInUse } from './nats-errors.js';

export interface DurableConsumerOptions {
  stream?: string;
  /** Durable name: every replica that uses the same name shares the work (each message goes to one). */
  name: string;
  filterSubject: string;
  /** How long a delivered message may stay unacknowledged before JetStream redelivers it. */
  ackWaitMs?: number;
  /** Unacknowledged messages in flight across all replicas. */
  maxAckPending?: number;
  /**
   * Deliveries of one message before JetStream gives up on it and publishes the advisory
   * `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>` (`MaxDeliveriesWatcher` copies it to the dead-letter stream).
   */
  maxDeliver?: number;
}

export const DEFAULT_MAX_DELIVER = 20;

export async function ensureDurableConsumer(jsm: JetStreamManager, options: DurableConsumerOptions): Promise<void> {
  const stream = options.stream ?? STREAM_NAME;
  const config = {
    durable_name: options.name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_ack_pending: options.maxAckPending ?? 20_000,
    max_deliver: options.maxDeliver ?? DEFAULT_MAX_DELIVER,
  };
  try {
    await jsm.consumers.info(stream, options.name);
    await jsm.consumers.update(stream, options.name, {
      ack_wait: config.ack_wait,
      max_ack_pending: config.max_ack_pending,
      max_deliver: config.max_deliver,
    });
  } catch (error) {
    if (missingResource(error) !== 'consumer') throw error;
    try {
      await jsm.consumers.add(stream, config);
    } catch (addError) {
      // another replica created it between the two calls
      if (!isConsumerNameInUse(addError)) throw addError;
    }
  }
}

export interface BatchConsumerOptions {
  stream?: string;
  name: string;
  /** Messages fetched per pull; the handler sees them together (one InfluxDB write per batch). */
  batchSize: number;
  /** How long a batch waits for more messages after its first before it is handed over. */
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
  /**
   * The stream or the consumer is gone (NATS lost its store): called instead of `onError`, and
   * consuming resumes once it settles (e.g. after recreating them); called again while they stay missing.
   */
  onMissing?: (what: MissingResource, error: Error) => Promise<void>;
}

/**
 * Consumes a durable pull consumer until `signal` aborts, handing the handler batches: a batch closes
 * when `batchSize` messages are in or `maxWaitMs` after its first message, so a trickle is handled
 * within `maxWaitMs` and a flood in full batches (one InfluxDB write each). One pull of up to
 * `batchSize` messages is in flight while the handler works (no more: memory stays bounded however
 * far behind the stream the handler is). One batch is handled at a time (its acks never
 * race the next write), and JetStream is told it is still being worked on while the handler retries a
 * slow or absent database. While `paused()` says so, nothing is consumed.
 */
export async function runBatchConsumer(nc: NatsConnection, options: BatchConsumerOptions): Promise<void> {
  const js = jetstream(nc);
  const stream = options.stream ?? STREAM_NAME;
  let consumer: Awaited<ReturnType<typeof js.consumers.get>> | undefined;
  const failed = async (error: unknown): Promise<void> => {
    if (options.signal.aborted) return;
    // Asked again on the next pass: its info says whether the stream or the consumer is gone.
    consumer = undefined;
    const missing = missingResource(error);
    if (missing) {
      await options.onMissing?.(missing, error as Error);
      if (!options.onMissing) options.onError(error);
      await pauseUnlessAborted(1000, options.signal);
      return;
    }
    options.onError(error);
    await pauseUnlessAborted(500, options.signal);
  };
  while (!options.signal.aborted) {
    if (options.paused?.()) {
      await pauseUnlessAborted(250, options.signal);
      continue;
    }
    const pulls = new Pulls(options);
    const stop = () => pulls.stop();
    options.signal.addEventListener('abort', stop, { once: true });
    let failure: unknown;
    try {
      consumer ??= await js.consumers.get(stream, options.name);
      await batches(pulls.messages(consumer), options);
    } catch (error) {
      failure = error;
    } finally {
      options.signal.removeEventListener('abort', stop);
      pulls.stop();
    }
    if (failure !== undefined) await failed(failure);
  }
}

type PullConsumer = Awaited<ReturnType<ReturnType<typeof jetstream>['consumers']['get']>>;

/**
 * Messages from one pull request of `batchSize` at a time, the next asked for once the last one is
 * taken. Why not nats.js's `consume()`: it asks for more as soon as messages arrive, not as they
 * are handled, so a handler slower than the stream (a fast replay) let the client buffer up to the
 * consumer's max_ack_pending (200,000 summaries: gigabytes). Here at most one pull is in flight
 * while a batch is handled. A missing stream or consumer ends the iteration with its error.
 */
class Pulls {
  private current: { stop(): void } | undefined;
  private stopped = false;

  constructor(private readonly options: BatchConsumerOptions) {}

  async *messages(consumer: PullConsumer): AsyncGenerator<JsMsg> {
    while (!this.stopped && !this.options.signal.aborted) {
      const pull = await consumer.fetch({ max_messages: this.options.batchSize, expires: 5000 });
      this.current = pull;
      if (this.stopped) pull.stop();
      for await (const m of pull) yield m;
      this.current = undefined;
    }
  }

  stop(): void {
    this.stopped = true;
    this.current?.stop();
  }
}

const TIMEOUT = Symbol('timeout');

/**
 * Reads batches off the pulls until they end, fail, abort, or the consumer is paused. A failure
 * while a batch is open is thrown after that batch is handled.
 */
async function batches(iterator: AsyncIterator<JsMsg>, options: BatchConsumerOptions): Promise<void> {
  let next: Promise<IteratorResult<JsMsg>> | undefined;
  while (!options.signal.aborted && !options.paused?.()) {
    next ??= iterator.next();
    const first = await next;
    next = undefined;
    if (first.done) return;
    // Paused while waiting (e.g. the lease moved): handed back at once for whoever holds it now,
    // rather than after ack_wait.
    if (options.paused?.()) {
      first.value.nak();
      return;
    }
    const batch: JsMsg[] = [first.value];
    const deadline = Date.now() + options.maxWaitMs;
    // The pull failing while a batch is open (e.g. NATS going down answers it with "server shutdown"):
    // the messages already in hand are still handled, then the error is passed on. Dropping them would
    // leave them unacknowledged until ack_wait ran out (30 s by default) before they came back.
    let ended: { error: unknown } | undefined;
    while (batch.length < options.batchSize) {
      next ??= observed(iterator.next());
      const wait = deadline - Date.now();
      if (wait <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      let r: IteratorResult<JsMsg> | typeof TIMEOUT;
      try {
        r = await Promise.race([
          next,
          new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), wait))),
        ]);
      } catch (error) {
        ended = { error };
        break;
      } finally {
        clearTimeout(timer);
      }
      if (r === TIMEOUT) break;
      next = undefined;
      if (r.done) break;
      batch.push(r.value);
    }
    const extend = setInterval(
      () => {
        for (const m of batch) m.working();
      },
      Math.max(250, options.ackWaitMs / 3),
    );
    try {
      await options.handle(batch);
    } catch (error) {
      options.onError(error);
      for (const m of batch) m.nak(1000);
    } finally {
      clearInterval(extend);
    }
    if (ended) throw ended.error;
  }
}

/**
 * A next message asked for before a batch is handled may fail while the handler works: marked as
 * observed so that is not an unhandled rejection (it is awaited, and thrown, after the handler).
 */
function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
