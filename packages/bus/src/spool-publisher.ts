import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { backoffDelay } from '@wirewatch/retry';

/** The part of `@wirewatch/spool`'s Spool the publisher needs. */
export interface PublishSpool {
  /** Resolves to false when the record was dropped (disk full...): counted by the spool. */
  append(data: Uint8Array, meta: { id: string }): Promise<boolean> | boolean;
  peek(n: number): Promise<ReadonlyArray<{ seq: number; id: string; data: Uint8Array }>>;
  /** Removes every entry up to and including `upTo`. */
  ack(upTo: { seq: number }): Promise<void>;
  /** Records waiting; read on every flow-control check of a replay, so it must be cheap. */
  readonly records: number;
  stats(): { oldestAgeMs?: number | null };
}

export interface SpoolPublisherOptions {
  subject: string;
  /** How long to wait for JetStream's ack of one message before treating it as failed and retrying. */
  ackTimeoutMs?: number;
  /**
   * Called on the first failure of a streak of failures (with the error, for callers that tell
   * nats.js's kinds of failure apart), and when publishing works again.
   */
  onStateChange?: (healthy: boolean, detail: string, error?: unknown) => void;
}

/** Between rounds that failed to publish: from 100 ms, doubling, up to 5 s. */
const RETRY_BACKOFF = { minDelayMs: 100, maxDelayMs: 5000 };

/**
 * Everything the sensor publishes goes through its on-disk spool: appended first, sent in order,
 * removed only once JetStream acknowledged it. With the Nats-Msg-Id of each message fixed when it was
 * spooled, a resend after a lost ack or a restart is dropped by the server's duplicate window.
 */
export class SpoolPublisher {
  published = 0;
  failures = 0;
  lastAckAt = 0;
  private js: JetStreamClient | undefined;
  private wake: (() => void) | undefined;
  private healthy = true;
  private appending = 0;
  private readonly backlogWaiters: Array<{ below: number; resolve: () => void }> = [];
  private stopped = false;

  constructor(
    private readonly spool: PublishSpool,
    private readonly options: SpoolPublisherOptions,
  ) {}

  /** The connection may come later (NATS down at start): until then messages only spool. */
  attach(nc: NatsConnection): void {
    this.js = jetstream(nc, { timeout: this.options.ackTimeoutMs ?? 5000 });
    this.kick();
  }

  /** Spools a message for sending; resolves to whether the spool took it (false: dropped, counted there). */
  enqueue(data: Uint8Array, id: string): Promise<boolean> {
    this.appending++;
    return Promise.resolve(this.spool.append(data, { id })).finally(() => {
      this.appending--;
      this.kick();
      this.wakeBacklogWaiters();
    });
  }

  /** Messages not yet acknowledged: in the spool, or still being appended to it. */
  backlog(): number {
    return this.spool.records + this.appending;
  }

  /** Sends until `stop()`; resolves once the spool is empty after `stop()` was asked to drain, or at once otherwise. */
  async run(): Promise<void> {
    let failedRounds = 0;
    while (!this.stopped) {
      const js = this.js;
      const batch = js ? await this.spool.peek(64) : [];
      if (!js || batch.length === 0) {
        await this.sleep(js ? 1000 : 250);
        continue;
      }
      let sent = 0;
      let last: { seq: number } | undefined;
      for (const entry of batch) {
        try {
          await js.publish(this.options.subject, entry.data, {
            msgID: entry.id,
            timeout: this.options.ackTimeoutMs ?? 5000,
          });
        } catch (error) {
          this.failures++;
          this.setHealthy(false, (error as Error).message, error);
          break;
        }
        sent++;
        last = entry;
        this.published++;
        this.lastAckAt = Date.now();
      }
      if (last !== undefined) {
        await this.spool.ack(last);
        this.wakeBacklogWaiters();
        this.setHealthy(true, 'publishing');
        failedRounds = 0;
      }
      if (sent < batch.length) await this.sleep(backoffDelay(++failedRounds, RETRY_BACKOFF));
    }
  }

  /** Publishes what is spooled, for up to `timeoutMs`, then stops; what is left stays on disk for the next start. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.backlog() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stopped = true;
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.kick();
  }

  /** Resolves once fewer than `below` messages wait in the spool (flow control for replays). */
  whenBacklogBelow(below: number): Promise<void> | null {
    if (this.backlog() < below) return null;
    return new Promise((resolve) => this.backlogWaiters.push({ below, resolve }));
  }

  private wakeBacklogWaiters(): void {
    const records = this.backlog();
    for (let i = this.backlogWaiters.length - 1; i >= 0; i--) {
      const w = this.backlogWaiters[i];
      if (records < w.below) {
        this.backlogWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Age of the oldest message not yet acknowledged, 0 when none waits. */
  lagMs(): number {
    return this.spool.stats().oldestAgeMs ?? 0;
  }

  private setHealthy(healthy: boolean, detail: string, error?: unknown): void {
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    this.options.onStateChange?.(healthy, detail, error);
  }

  private kick(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
