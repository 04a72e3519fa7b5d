import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { recreateBucketIfMissing } from './kv-bucket.js';
import { isWrongLastSequence } from './nats-errors.js';

export interface LeaseOptions {
  bucket: string;
  key: string;
  /** Who we are (shown as the key's value). */
  holder: string;
  /** A lease not renewed for this long lapses (the bucket's max age), and another replica takes over. */
  ttlMs: number;
  /** Copies of the bucket on a NATS cluster (the services pass `nats.replicas`): with 1, losing the node that holds it stops every lease. */
  replicas?: number;
  onChange: (leader: boolean) => void;
  /**
   * A failure other than "someone else holds it" (a permission missing, a timeout): without it a
   * replica that can never win would stand by silently. Called once per distinct message in a row.
   */
  onError?: (error: Error) => void;
}

/** What KV answers when the key is held by another replica, or our revision is stale: the normal way to lose. */
const heldElsewhere = isWrongLastSequence;

/**
 * One replica at a time holds a key in a JetStream KV bucket whose entries expire after `ttlMs`:
 * the holder renews it with a compare-and-set every third of the TTL; the others try to create it
 * and succeed once it lapsed (holder crashed) or was deleted (holder stopped cleanly).
 */
export class LeaderLease {
  leader = false;
  private kv: KV | undefined;
  private revision = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private lastError: string | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: LeaseOptions,
  ) {}

  /** Times the bucket was found gone (NATS lost its store) and created again. */
  bucketsRecreated = 0;

  private get bucketOptions() {
    return { ttl: this.options.ttlMs, history: 1, replicas: this.options.replicas ?? 1 };
  }

  async start(): Promise<void> {
    this.kv = await new Kvm(this.nc).create(this.options.bucket, this.bucketOptions);
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(100, this.options.ttlMs / 3));
  }

  /** Gives the lease up at once so another replica need not wait for it to lapse. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.leader && this.kv)
      await this.kv.delete(this.options.key, { previousSeq: this.revision }).catch(() => undefined);
    this.set(false);
  }

  private async tick(): Promise<void> {
    const kv = this.kv;
    if (!kv || this.busy) return;
    this.busy = true;
    const value = new TextEncoder().encode(this.options.holder);
    try {
      try {
        this.revision = this.leader
          ? await kv.update(this.options.key, value, this.revision)
          : await kv.create(this.options.key, value);
      } catch (error) {
        if (heldElsewhere(error)) throw error;
        // The bucket may be gone with NATS's store: nobody holds anything then, so whoever recreates it takes the lease.
        const recreated = await recreateBucketIfMissing(this.nc, this.options.bucket, this.bucketOptions).catch(
          () => undefined,
        );
        if (!recreated) throw error;
        this.kv = recreated;
        this.bucketsRecreated++;
        this.revision = await recreated.create(this.options.key, value);
      }
      this.lastError = undefined;
      this.set(true);
    } catch (error) {
      this.set(false);
      const message = (error as Error).message;
      if (heldElsewhere(error)) this.lastError = undefined;
      else if (message !== this.lastError) {
        this.lastError = message;
        this.options.onError?.(error as Error);
      }
    } finally {
      this.busy = false;
    }
  }

  private set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    this.options.onChange(leader);
  }
}
