import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, createInbox, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabNats, type LabNats } from '../../../tests/deploy/lab-nats.js';
import { startNats, type NatsHandle } from '../../../tests/harness/index.js';
import { connectAs, LAB_NATS_ENV } from '../../../tests/security/nats-users.js';
import {
  isConsumerNameInUse,
  isInvalidStreamConfig,
  isNoResponders,
  isStreamNameInUse,
  isTimeout,
  isWrongLastSequence,
  jetStreamApiCode,
  permissionViolation,
} from './nats-errors.js';
import { streamSettings } from './stream-settings.js';

/** Every classifier's answer for one error: each case below must say yes to exactly its own. */
function kinds(error: unknown) {
  return {
    streamNameInUse: isStreamNameInUse(error),
    consumerNameInUse: isConsumerNameInUse(error),
    invalidStreamConfig: isInvalidStreamConfig(error),
    wrongLastSequence: isWrongLastSequence(error),
    timeout: isTimeout(error),
    noResponders: isNoResponders(error),
    permission: permissionViolation(error) !== undefined,
  };
}

const NONE = {
  streamNameInUse: false,
  consumerNameInUse: false,
  invalidStreamConfig: false,
  wrongLastSequence: false,
  timeout: false,
  noResponders: false,
  permission: false,
};

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the server to refuse');
}

describe('nats.js errors as nats-server answers, told apart by class and code', () => {
  let nats: NatsHandle;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'S', subjects: ['s.>'] });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.dispose();
  });

  it('a stream created again with other settings: stream name in use (10058)', async () => {
    const error = await failure(jsm.streams.add({ name: 'S', subjects: ['s.>'], max_msgs: 5 }));
    expect(jetStreamApiCode(error)).toBe(10058);
    expect(kinds(error)).toEqual({ ...NONE, streamNameInUse: true });
  });

  it('a consumer created again while its first is in use: consumer name in use (10013)', async () => {
    // nats-server 2.9 updates an existing pull durable on a create, so the race two replicas can
    // lose shows here with a push durable whose delivery subject someone listens to.
    const listened = createInbox();
    const sub = nc.subscribe(listened);
    await jsm.consumers.add('S', { durable_name: 'pushed', ack_policy: AckPolicy.Explicit, deliver_subject: listened });
    const error = await failure(
      jsm.consumers.add('S', {
        durable_name: 'pushed',
        ack_policy: AckPolicy.Explicit,
        deliver_subject: createInbox(),
      }),
    );
    sub.unsubscribe();
    expect(jetStreamApiCode(error)).toBe(10013);
    expect(kinds(error)).toEqual({ ...NONE, consumerNameInUse: true });
  });

  it('a stream update nats-server cannot make in place: an invalid stream configuration (10052)', async () => {
    const error = await failure(
      jsm.streams.update('S', { subjects: ['s.>'], republish: { src: '>', dest: 'copy.>' } }),
    );
    expect(kinds(error)).toEqual({ ...NONE, invalidStreamConfig: true });
  });

  it('a KV create of a key held by someone, and an update with a stale revision: wrong last sequence', async () => {
    const kv = await new Kvm(nc).create('errors', { history: 1 });
    await kv.create('k', new Uint8Array([1]));
    for (const error of [
      await failure(kv.create('k', new Uint8Array([2]))),
      await failure(kv.update('k', new Uint8Array([2]), 99)),
    ]) {
      expect(kinds(error)).toEqual({ ...NONE, wrongLastSequence: true });
    }
  });

  it('a request nobody answers in time: a timeout; a JetStream publish no stream takes: no responders', async () => {
    const silent = nc.subscribe('silent');
    const timedOut = await failure(nc.request('silent', new Uint8Array(), { timeout: 200 }));
    silent.unsubscribe();
    expect(kinds(timedOut)).toEqual({ ...NONE, timeout: true });
    const unheard = await failure(jetstream(nc).publish('nostream.x', new Uint8Array()));
    expect((unheard as Error).message).toBe('jetstream is not enabled');
    expect(kinds(unheard)).toEqual({ ...NONE, noResponders: true });
  });

  it('a message that only says so is not taken for the error', () => {
    for (const message of [
      'timeout',
      'no responders',
      'stream name already in use',
      'wrong last sequence: 1',
      'Permissions Violation for Publish to "x"',
    ]) {
      expect(kinds(new Error(message)), message).toEqual(NONE);
    }
    expect(kinds(new Error('outer', { cause: new TimeoutError() }))).toEqual({ ...NONE, timeout: true });
  });
});

describe('nats.js errors on the shipped accounts (deploy/nats)', () => {
  let nats: LabNats;
  beforeAll(async () => {
    nats = await startLabNats('nats.conf', LAB_NATS_ENV);
  }, 30_000);
  afterAll(async () => nats?.server.dispose());

  it("the collector's stream update is a permission violation naming the API subject; a sensor's publish no stream takes is a timeout, not no responders", async () => {
    const operator = await connectAs(nats.url, 'operator');
    const [settings] = streamSettings();
    await (await jetstreamManager(operator.nc)).streams.add(settings);
    const collector = await connectAs(nats.url, 'collector');
    const refused = await failure(
      (await jetstreamManager(collector.nc)).streams.update(settings.name, { ...settings, max_msgs: 5 }),
    );
    expect(kinds(refused)).toEqual({ ...NONE, permission: true });
    expect(permissionViolation(refused)).toMatchObject({
      operation: 'publish',
      subject: `$JS.API.STREAM.UPDATE.${settings.name}`,
    });

    await (await jetstreamManager(operator.nc)).streams.delete(settings.name);
    const sensor = await connectAs(nats.url, 'sensor');
    const unanswered = await failure(
      jetstream(sensor.nc, { timeout: 500 }).publish('wirewatch.v1.summary.lab', new TextEncoder().encode('{}')),
    );
    expect(kinds(unanswered)).toEqual({ ...NONE, timeout: true });
    for (const c of [operator, collector, sensor]) await c.nc.close();
  });
});
