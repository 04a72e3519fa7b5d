import { jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  HEADER_DEAD_LETTER_REASON,
  HEADER_ORIGINAL_SUBJECT,
  deadLetterSubject,
  type Rejection,
} from '@wirewatch/protocol';

/**
 * Copies a rejected message to `wirewatch.deadletter.<consumer>` (its own stream, kept a week) with
 * the reason in headers, so an operator can inspect what was refused; the caller then terminates it.
 */
export async function deadLetter(
  nc: NatsConnection,
  consumer: string,
  message: JsMsg,
  rejection: Rejection,
): Promise<void> {
  const h = headers();
  h.set(HEADER_ORIGINAL_SUBJECT, message.subject);
  h.set(HEADER_DEAD_LETTER_REASON, headerValue(`${rejection.kind}: ${rejection.detail}`));
  await jetstream(nc).publish(deadLetterSubject(consumer), message.data, { headers: h });
}

/** A header value: one line (NATS headers cannot carry CR or LF; InfluxDB's errors list one line each), at most 1 KiB. */
function headerValue(text: string): string {
  return text.replace(/[\r\n]+/g, ' | ').slice(0, 1024);
}

/** Where JetStream says a consumer gave up on a message after max_deliver deliveries. */
export function maxDeliveriesAdvisorySubject(stream: string, consumer: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`;
}

export interface MaxDeliveriesWatcherOptions {
  stream: string;
  consumers: string[];
  /** Replicas sharing a queue group: each advisory is handled (copied) by one of them. */
  queue: string;
  /** A message copied to the dead-letter stream (reason `max_deliver`). */
  onDeadLettered: (consumer: string, subject: string, deliveries: number) => void;
  /** The advisory could not be followed (message gone from the stream, no permission, NATS away): the message is lost; counted. */
  onFailure: (consumer: string, error: Error) => void;
  /** The advisories cannot be heard (e.g. a NATS user without the right to subscribe to them). */
  onListenError?: (consumer: string, error: Error) => void;
}

interface MaxDeliveriesAdvisory {
  stream?: string;
  consumer?: string;
  stream_seq?: number;
  deliveries?: number;
}

/**
 * Messages a consumer gave up on after its max_deliver deliveries (a handler failing on them every
 * time) would otherwise vanish from its view silently: JetStream only publishes an advisory with the
 * stream sequence. This follows those advisories, fetches each message by sequence
 * (`$JS.API.STREAM.MSG.GET.<stream>`) and copies it to the consumer's dead-letter subject with reason `max_deliver`.
 * Advisories are core NATS messages: one published while no replica listens is not seen.
 */
export class MaxDeliveriesWatcher {
  copied = 0;
  failures = 0;
  private readonly subscriptions: Subscription[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: MaxDeliveriesWatcherOptions,
  ) {}

  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    for (const consumer of this.options.consumers) {
      const subject = maxDeliveriesAdvisorySubject(this.options.stream, consumer);
      this.subscriptions.push(
        this.nc.subscribe(subject, {
          queue: this.options.queue,
          callback: (error, msg) => {
            if (error) {
              this.options.onListenError?.(consumer, error);
              return;
            }
            const done = this.follow(jsm, consumer, msg.data).finally(() => this.pending.delete(done));
            this.pending.add(done);
          },
        }),
      );
    }
    await this.nc.flush();
  }

  /** Stops listening and waits for the copies in progress. */
  async stop(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    await Promise.allSettled([...this.pending]);
  }

  private async follow(jsm: JetStreamManager, consumer: string, data: Uint8Array): Promise<void> {
    try {
      const advisory = JSON.parse(new TextDecoder().decode(data)) as MaxDeliveriesAdvisory;
      const seq = advisory.stream_seq;
      if (typeof seq !== 'number') throw new Error('max deliveries advisory without a stream_seq');
      const stored = await jsm.streams.getMessage(advisory.stream ?? this.options.stream, { seq });
      if (!stored) throw new Error(`message ${seq} is no longer in stream ${this.options.stream}`);
      const deliveries = advisory.deliveries ?? 0;
      const h = headers();
      h.set(HEADER_ORIGINAL_SUBJECT, stored.subject);
      h.set(
        HEADER_DEAD_LETTER_REASON,
        `max_deliver: consumer ${consumer} delivered stream message ${seq} ${deliveries} times without an acknowledgement`,
      );
      // Message id: a second advisory for the same message (or a replica outside the queue group) is dropped by the server.
      await jetstream(this.nc).publish(deadLetterSubject(consumer), stored.data, {
        headers: h,
        msgID: `max-deliver-${this.options.stream}-${consumer}-${seq}`,
      });
      this.copied++;
      this.options.onDeadLettered(consumer, stored.subject, deliveries);
    } catch (error) {
      this.failures++;
      this.options.onFailure(consumer, error as Error);
    }
  }
}
