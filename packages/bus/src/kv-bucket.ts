import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { missingResource } from './missing-resource.js';

/**
 * After a KV operation failed: if the bucket's stream is gone (NATS restarted with its store lost,
 * where KV writes answer only "no responders" or time out), creates the bucket again and returns it;
 * otherwise (the bucket is there: the failure was something else) returns undefined.
 */
export async function recreateBucketIfMissing(
  nc: NatsConnection,
  bucket: string,
  options: Partial<KvOptions>,
): Promise<KV | undefined> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(`KV_${bucket}`);
    return undefined;
  } catch (error) {
    if (missingResource(error) !== 'stream') throw error;
  }
  return new Kvm(nc).create(bucket, options);
}
