/**
 * Issue 11: the fleet merge holds each summary's message unacknowledged until its interval is written,
 * which can take far longer than the consumer's ack wait (the grace period, an InfluxDB outage, a
 * missing database). Held messages are extended, so JetStream neither hands them out again (spending
 * deliveries towards max_deliver) nor lets a redelivery be taken for a duplicate and acknowledged
 * while the interval's write is still being retried. Real nats-server and influxd 1.6.7, the collector
 * run from the built CLI, a proxy in front of influxd that answers 503 on demand.
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SKETCH_SHAPE, buildSummaryMessage, encodeMessage } from '@wirewatch/protocol';
import { summarizerWithHosts } from '@wirewatch/traffic/testing';
import { buildCli } from '../../scripts/build-cli.mjs';
import {
  influxRows,
  startInfluxV1,
  startNats,
  waitFor,
  type InfluxV1Handle,
  type NatsHandle,
} from '../harness/index.js';
import { killAll, startService, type ServiceProcess, collectorArgs } from '../pipeline/service-process.js';
import { publishAll } from '../pipeline/synthetic.js';
import { startRefusingProxy, type RefusingProxy } from './influx-5xx-proxy.js';

/** Short, so a few seconds cover many ack waits. */
const ACK_WAIT_SECONDS = 1;
/** The smallest allowed: a message handed out a second time is already at its last delivery. */
const MAX_DELIVER = 2;
/** How long the tests watch a held message: four ack waits. */
const HOLD_MS = 4 * ACK_WAIT_SECONDS * 1000;

let bundle: string;
let nats: NatsHandle;
let influx: InfluxV1Handle;
let proxy: RefusingProxy;
let jsm: JetStreamManager;
let closeNats: () => Promise<void>;

beforeAll(async () => {
  [bundle, nats, influx] = await Promise.all([buildCli(), startNats(), startInfluxV1()]);
  proxy = await startRefusingProxy(influx.url);
  const nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  closeNats = () => nc.close();
}, 60_000);

afterAll(async () => {
  await killAll();
  await closeNats?.();
  await proxy?.close();
  await Promise.allSettled([nats?.dispose(), influx?.dispose()]);
});

function collector(group: string, database: string): ServiceProcess {
  return startService(bundle, collectorArgs(nats.url, { url: proxy.url, db: database }), {
    WIREWATCH_CONSUMER_SUMMARIES: `${group}-summaries`,
    WIREWATCH_CONSUMER_HEARTBEATS: `${group}-heartbeats`,
    WIREWATCH_FLEET_CONSUMER: `${group}-fleet`,
    WIREWATCH_CONSUMER_ACK_WAIT_SECONDS: String(ACK_WAIT_SECONDS),
    WIREWATCH_CONSUMER_MAX_DELIVER: String(MAX_DELIVER),
    WIREWATCH_FLEET_GRACE_SECONDS: '0.5',
    WIREWATCH_FLEET_LEASE_SECONDS: '2',
  });
}

/** One summary with the fleet's default sketch sizes, for interval [start, start + 1 s). */
function summary(sensor: string, start: number) {
  const s = summarizerWithHosts([7], 100, { ...DEFAULT_SKETCH_SHAPE });
  return {
    sensor,
    seq: 1,
    data: encodeMessage(
      buildSummaryMessage(s, {
        sensor,
        run: 'r',
        seq: 1,
        interface: 'eth0',
        start,
        end: start + 1000,
        emitted: Date.now(),
        kernelDropped: 0,
        late: 0,
      }),
    ),
  };
}

/** Unacknowledged messages of the group's fleet consumer, and deliveries it made (redeliveries included). */
async function fleetConsumer(group: string): Promise<{ ackPending: number; deliveries: number }> {
  const info = await jsm.consumers.info('WIREWATCH', `${group}-fleet`);
  return { ackPending: info.num_ack_pending, deliveries: info.delivered.consumer_seq };
}

/** Polls `check` until `ms` have passed (absence of a redelivery has no event to wait for). */
async function holdsFor(ms: number, check: () => Promise<void>): Promise<void> {
  const until = Date.now() + ms;
  await waitFor(
    async () => {
      await check();
      return Date.now() >= until;
    },
    { what: `holding for ${ms} ms`, timeoutMs: ms + 10_000 },
  );
}

async function fleetSensors(database: string, start: number): Promise<unknown[]> {
  return influxRows(
    await influx.query(
      `SELECT sensors FROM fleet_top WHERE time = ${start}ms AND list = 'sources' AND rank = '1'`,
      database,
    ),
  ).map((r) => r.sensors);
}

describe('fleet merge: held summaries outlive the ack wait', () => {
  it('InfluxDB answering 503: the held summary is neither redelivered nor acknowledged; a collector killed meanwhile leaves it to the next, which writes it', async () => {
    const database = 'outage';
    const start = Date.UTC(2021, 0, 1);
    await influx.createDatabase(database);
    proxy.refuseWith = 503;
    const first = collector('held', database);
    await waitFor(async () => (await first.metric('wirewatch_collector_fleet_leader')) === 1, {
      what: 'fleet lease',
      timeoutMs: 20_000,
    });
    await publishAll(nats.url, [summary('held-a', start)]);
    await waitFor(async () => (await fleetConsumer('held')).ackPending === 1, {
      what: 'the summary delivered to the fleet merge',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (proxy.refused.get(503) ?? 0) >= 2, { what: 'writes refused', timeoutMs: 10_000 });
    // The interval's write is being retried all along: the message stays with it, unacknowledged.
    await holdsFor(HOLD_MS, async () => expect(await fleetConsumer('held')).toEqual({ ackPending: 1, deliveries: 1 }));
    await first.kill();

    const second = collector('held', database);
    proxy.refuseWith = null;
    await waitFor(async () => (await fleetSensors(database, start)).length === 1, {
      what: "the interval's fleet-wide points written by the next collector",
      timeoutMs: 30_000,
    });
    expect(await fleetSensors(database, start)).toEqual([1]);
    await waitFor(async () => (await fleetConsumer('held')).ackPending === 0, {
      what: 'the summary acknowledged',
      timeoutMs: 10_000,
    });
    expect(await second.metric('wirewatch_collector_fleet_skipped_total')).toBe(0);
    await second.stop();
  }, 90_000);

  it('a database that does not exist yet (404): the held summary spends no deliveries towards max_deliver and is written once the database is there', async () => {
    const database = 'later';
    const start = Date.UTC(2021, 0, 2);
    proxy.refuseWith = null;
    const c = collector('missing', database);
    await waitFor(async () => (await c.metric('wirewatch_collector_fleet_leader')) === 1, {
      what: 'fleet lease',
      timeoutMs: 20_000,
    });
    await publishAll(nats.url, [summary('held-b', start)]);
    // A new consumer: the earlier test's summary is delivered to it too.
    const summaries = (await jsm.streams.info('WIREWATCH')).state.messages;
    expect(summaries).toBe(2);
    await waitFor(async () => (await fleetConsumer('missing')).ackPending === summaries, {
      what: 'the summaries delivered to the fleet merge',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (proxy.passed.get(404) ?? 0) >= 2, { what: 'writes answered 404', timeoutMs: 10_000 });
    await holdsFor(HOLD_MS, async () =>
      expect(await fleetConsumer('missing')).toEqual({ ackPending: summaries, deliveries: summaries }),
    );

    await influx.createDatabase(database);
    await waitFor(async () => (await fleetSensors(database, start)).length === 1, {
      what: "the interval's fleet-wide points written",
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await fleetConsumer('missing')).ackPending === 0, {
      what: 'the summaries acknowledged',
      timeoutMs: 10_000,
    });
    expect(await c.metric('wirewatch_collector_fleet_skipped_total', { reason: 'max_deliver' })).toBe(0);
    expect(await fleetConsumer('missing')).toEqual({ ackPending: 0, deliveries: summaries });
    await c.stop();
  }, 90_000);
});
