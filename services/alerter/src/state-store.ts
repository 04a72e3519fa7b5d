import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { recreateBucketIfMissing } from '@wirewatch/bus';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * The alerter's durable state in a JetStream KV bucket, as one gzipped JSON document: the rule
 * engine's snapshot, the notifications not yet delivered (outbox) and the recent history. Written
 * after every batch, before the batch is acknowledged, so a restarted alerter (or the replica that
 * takes over) resumes where the last one stopped: no second "firing", no forgotten incident.
 */
export class StateStore<T> {
  private revision = 0;
  /** Times the bucket was found gone (NATS lost its store) and created again. */
  bucketsRecreated = 0;

  private constructor(
    private kv: KV,
    private readonly key: string,
    private readonly nc: NatsConnection,
    private readonly bucket: string,
    private readonly replicas: number,
  ) {}

  static async open<T>(nc: NatsConnection, bucket: string, key = 'state', replicas = 1): Promise<StateStore<T>> {
    const kv = await new Kvm(nc).create(bucket, { history: 1, replicas });
    return new StateStore<T>(kv, key, nc, bucket, replicas);
  }

  async load(): Promise<T | undefined> {
    const entry = await this.kv.get(this.key);
    if (!entry || entry.operation !== 'PUT' || entry.value.length === 0) return undefined;
    this.revision = entry.revision;
    return JSON.parse(gunzipSync(entry.value).toString('utf8')) as T;
  }

  /**
   * Saves `state`; fails if another writer saved since our last load or save (two active alerters).
   * A bucket gone with NATS's store is created again and the state saved afresh in it.
   */
  async save(state: T): Promise<void> {
    const body = gzipSync(Buffer.from(JSON.stringify(state)));
    try {
      this.revision =
        this.revision === 0
          ? await this.kv.create(this.key, body)
          : await this.kv.update(this.key, body, this.revision);
    } catch (error) {
      const recreated = await recreateBucketIfMissing(this.nc, this.bucket, {
        history: 1,
        replicas: this.replicas,
      }).catch(() => undefined);
      if (!recreated) throw error;
      this.kv = recreated;
      this.bucketsRecreated++;
      this.revision = await this.kv.create(this.key, body);
    }
  }
}
