import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { ensureStreams } from '@wirewatch/bus';
import {
  DEAD_LETTER_STREAM_NAME,
  HEADER_DEAD_LETTER_REASON,
  HEADER_ORIGINAL_SUBJECT,
  STREAM_NAME,
  buildSummaryMessage,
  encodeMessage,
  summarySubject,
} from '@wirewatch/protocol';
import { summarizerWithHosts } from '@wirewatch/traffic/testing';
import { startInfluxV1, startNats, waitFor, type InfluxV1Handle, type NatsHandle } from '../harness/index.js';
import { storedInInflux } from '../pipeline/readback.js';
import { killAll, startService, type ServiceProcess, collectorArgs } from '../pipeline/service-process.js';
import { startAllOrNothingProxy, type AllOrNothingProxy } from './poison-proxy.js';

/**
 * Issue 11, poison isolation: summaries influxd 1.6.7 refuses for their content, mixed into batches
 * of good ones. Before: the batch was nak'd and redelivered without end. Now: the collector splits a
 * refused batch by message, dead-letters the ones refused alone with influxd's words, writes and acks
 * the rest; with partial writes (influxd) and without (a proxy that makes every write all-or-nothing).
 */
let bundle: string;
let nats: NatsHandle;
let influx: InfluxV1Handle;
let proxy: AllOrNothingProxy;
const natsServers: NatsHandle[] = [];

beforeAll(async () => {
  [bundle, influx] = await Promise.all([buildCli(), startInfluxV1()]);
  proxy = await startAllOrNothingProxy(influx.url);
}, 60_000);

/** Each test its own NATS (a consumer sees the whole stream: no other test's poison in it) with the streams made. */
beforeEach(async () => {
  nats = await startNats();
  natsServers.push(nats);
  const nc = await connect({ servers: nats.url });
  await ensureStreams(nc);
  await nc.close();
});

afterAll(async () => {
  await killAll();
  await proxy?.close();
  await Promise.allSettled([...natsServers.map((n) => n.dispose()), influx?.dispose()]);
});

const NOW = Date.now();
const DAY = 86_400_000;

interface Published {
  sensor: string;
  seq: number;
  data: Uint8Array;
}

function summary(sensor: string, seq: number, start: number, iface = 'eth0'): Published {
  const s = summarizerWithHosts([1, 2, 3], 100, { capacity: 64, precision: 10 });
  const data = encodeMessage(
    buildSummaryMessage(s, {
      sensor,
      run: 'poison',
      seq,
      interface: iface,
      start,
      end: start + 1000,
      emitted: Date.now(),
      kernelDropped: 0,
      late: 0,
    }),
  );
  return { sensor, seq, data };
}

async function publish(messages: Published[]): Promise<void> {
  const nc = await connect({ servers: nats.url });
  try {
    const js = jetstream(nc);
    for (const m of messages)
      await js.publish(summarySubject(m.sensor), m.data, { msgID: `${m.sensor}-poison-${m.seq}` });
  } finally {
    await nc.drain();
  }
}

function collector(
  group: string,
  influxUrl: string,
  database: string,
  env: Record<string, string> = {},
): ServiceProcess {
  return startService(bundle, collectorArgs(nats.url, { url: influxUrl, db: database }), {
    WIREWATCH_CONSUMER_SUMMARIES: `${group}-summaries`,
    WIREWATCH_CONSUMER_HEARTBEATS: `${group}-heartbeats`,
    WIREWATCH_FLEET_CONSUMER: `${group}-fleet`,
    WIREWATCH_CONSUMER_ACK_WAIT_SECONDS: '5',
    // The fleet's sketch sizes are those of summary() below, so the fleet merge takes them.
    WIREWATCH_FLEET_SKETCH_CAPACITY: '64',
    WIREWATCH_FLEET_SKETCH_PRECISION: '10',
    ...env,
  });
}

interface DeadLetter {
  subject: string;
  original: string;
  reason: string;
  sensor: string;
}

/** Every copy in the dead-letter stream for `consumer`. */
async function deadLetters(consumer: string): Promise<DeadLetter[]> {
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(DEAD_LETTER_STREAM_NAME);
    const out: DeadLetter[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(DEAD_LETTER_STREAM_NAME, { seq });
      if (!m || m.subject !== `wirewatch.deadletter.${consumer}`) continue;
      out.push({
        subject: m.subject,
        original: m.header?.get(HEADER_ORIGINAL_SUBJECT) ?? '',
        reason: m.header?.get(HEADER_DEAD_LETTER_REASON) ?? '',
        sensor: m.json<{ sensor: string }>().sensor,
      });
    }
    return out;
  } finally {
    await nc.close();
  }
}

async function consumerInfo(name: string): Promise<{ ackPending: number; pending: number; redelivered: number }> {
  const nc = await connect({ servers: nats.url });
  try {
    const info = await (await jetstreamManager(nc)).consumers.info(STREAM_NAME, name);
    return { ackPending: info.num_ack_pending, pending: info.num_pending, redelivered: info.num_redelivered };
  } finally {
    await nc.close();
  }
}

/** Good summaries of sensor `good-<tag>`, one per second of the last minute. */
const goods = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => summary(`good-${tag}`, i + 1, NOW - 60_000 + i * 1000));

/** Poison at every third place, so that each batch mixes good and refused messages. */
function interleave(good: Published[], poison: Published[]): Published[] {
  const out = [...good];
  poison.forEach((p, i) => out.splice(Math.min(out.length, i * 3 + 1), 0, p));
  return out;
}

/**
 * Publishes, starts a collector and waits until the good summaries are stored and the poison is in the
 * dead-letter stream; returns how long that took and what was dead-lettered.
 */
async function run(group: string, influxUrl: string, database: string, good: Published[], poison: Published[]) {
  await publish(interleave(good, poison));
  const started = Date.now();
  const c = collector(group, influxUrl, database);
  await c.ready();
  const sensor = good[0].sensor;
  await waitFor(async () => (await storedInInflux(influx, database, sensor)).intervals === good.length, {
    what: `the ${good.length} good summaries stored`,
    timeoutMs: 20_000,
  });
  await waitFor(async () => (await deadLetters(`${group}-summaries`)).length === poison.length, {
    what: `the ${poison.length} poison summaries dead-lettered`,
    timeoutMs: 20_000,
  }).catch(async (e) => {
    console.log(
      JSON.stringify(c.logs.slice(0, 40), null, 1),
      await deadLetters(`${group}-summaries`),
      await consumerInfo(`${group}-summaries`),
    );
    throw e;
  });
  await waitFor(async () => (await consumerInfo(`${group}-summaries`)).ackPending === 0, {
    what: 'nothing left unacknowledged',
    timeoutMs: 10_000,
  });
  const settledMs = Date.now() - started;
  return { c, settledMs, dead: await deadLetters(`${group}-summaries`) };
}

/** influxd's refusals of the poison kinds that pass message validation, and reach InfluxDB. */
const POISON = {
  /** Past 2262: its nanosecond timestamp overflows int64. */
  farFuture: () => summary('far-future', 1, 9_300_000_000_000),
  /** A tag value ending in `\` (escaped or not, influxd 1.6.7 cannot parse it). */
  backslash: () => summary('backslash', 1, NOW - 30_000, 'eth0\\'),
  /** `traffic.packets` written as an integer a month ago by another writer: wirewatch's float conflicts in that shard. */
  typeConflict: () => summary('conflict', 1, NOW - 30 * DAY),
};

describe('summaries influxd 1.6.7 refuses for their content (partial writes on)', () => {
  it("past 2262, an interface ending in \\, a field type conflict: each dead-lettered with influxd's reason, counted by kind; the good ones stored and acked within seconds", async () => {
    const db = 'poison';
    await influx.createDatabase(db);
    // an older writer stored packets as an integer in the shard a month back (wirewatch writes floats)
    const write = await fetch(`${influx.url}/write?db=${db}&precision=ms`, {
      method: 'POST',
      body: `traffic,sensor=older packets=1i ${NOW - 30 * DAY}`,
    });
    expect(write.status).toBe(204);
    const good = goods('a', 30);
    const { c, settledMs, dead } = await run('pa', influx.url, db, good, [
      POISON.farFuture(),
      POISON.backslash(),
      POISON.typeConflict(),
    ]);
    expect(settledMs).toBeLessThan(10_000);

    const bySensor = Object.fromEntries(dead.map((d) => [d.sensor, d]));
    expect(Object.keys(bySensor).sort()).toEqual(['backslash', 'conflict', 'far-future']);
    expect(bySensor['far-future'].reason).toMatch(/^influx_time_out_of_range: InfluxDB rejected .*value out of range/);
    expect(bySensor.backslash.reason).toMatch(/^influx_unparsable: InfluxDB rejected .*invalid tag format/);
    expect(bySensor.conflict.reason).toMatch(
      /^influx_field_type_conflict: InfluxDB rejected .*field type conflict: input field "packets" on measurement "traffic" is type float, already exists as type integer/,
    );
    expect(bySensor.conflict.original).toBe('wirewatch.v1.summary.conflict');

    for (const reason of ['influx_time_out_of_range', 'influx_unparsable', 'influx_field_type_conflict']) {
      expect(await c.metric('wirewatch_collector_rejected_total', { kind: 'summary', reason }), reason).toBe(1);
    }
    expect(await c.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBe(good.length);
    // the search costs about 2·log2(batch) refused writes per poison message (batches here: 33 messages), not one per redelivery forever
    const refusedWrites = await c.metric('wirewatch_collector_influx_batches_total', { outcome: 'rejected' });
    expect(refusedWrites).toBeLessThanOrEqual(3 * 2 * Math.ceil(Math.log2(good.length + 3)) + 2);
    // logged once per kind
    const warned = c.logs.filter((l) => String(l.msg).startsWith('rejected a message (dead-lettered'));
    expect(warned.map((l) => l.reason).sort()).toEqual([
      'influx_field_type_conflict',
      'influx_time_out_of_range',
      'influx_unparsable',
    ]);

    // nothing comes back: a while later nothing is pending and nothing was delivered again
    const before = await consumerInfo('pa-summaries');
    await publish([summary('good-a', 1000, NOW - 1000)]);
    await waitFor(async () => (await storedInInflux(influx, db, 'good-a')).intervals === good.length + 1, {
      what: 'a later summary stored',
      timeoutMs: 10_000,
    });
    const after = await consumerInfo('pa-summaries');
    expect(after).toEqual({ ackPending: 0, pending: 0, redelivered: before.redelivered });
    expect(after.redelivered).toBe(0);
    // the fleet merge's write of the far-future interval is refused too: left out, counted, not retried forever
    await waitFor(async () => (await consumerInfo('pa-fleet')).ackPending === 0, {
      what: 'the fleet merge done with every summary',
      timeoutMs: 15_000,
    });
    expect(await c.metric('wirewatch_collector_fleet_skipped_total', { reason: 'influx_time_out_of_range' })).toBe(1);
    await c.stop();
  }, 60_000);

  it('points beyond a 1 h retention policy (an old capture replayed): dead-lettered as influx_beyond_retention, the rest stored', async () => {
    const db = 'short';
    await influx.query(`CREATE DATABASE ${db} WITH DURATION 1h`);
    const good = goods('b', 20);
    const old = Array.from({ length: 4 }, (_, i) => summary('replayed', i + 1, NOW - 3 * 3600_000 + i * 1000));
    const { c, settledMs, dead } = await run('pb', influx.url, db, good, old);
    expect(settledMs).toBeLessThan(10_000);
    expect(dead.map((d) => d.sensor)).toEqual(['replayed', 'replayed', 'replayed', 'replayed']);
    for (const d of dead)
      expect(d.reason).toMatch(/^influx_beyond_retention: InfluxDB rejected .*points beyond retention policy/);
    expect(
      await c.metric('wirewatch_collector_rejected_total', { kind: 'summary', reason: 'influx_beyond_retention' }),
    ).toBe(4);
    expect(await c.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBe(good.length);
    expect((await consumerInfo('pb-summaries')).redelivered).toBe(0);
    await c.stop();
  }, 60_000);
});

describe('a database without partial writes (every write all-or-nothing)', () => {
  it("the good summaries still land, written only by the collector's split writes; the poison dead-lettered", async () => {
    const db = 'whole';
    await influx.query(`CREATE DATABASE ${db} WITH DURATION 1h`);
    await influx.query(`CREATE DATABASE ${proxy.dryRunDatabase(db)} WITH DURATION 1h`);
    const good = goods('c', 30);
    const poison = [
      POISON.farFuture(),
      POISON.backslash(),
      ...Array.from({ length: 2 }, (_, i) => summary('replayed', 10 + i, NOW - 3 * 3600_000)),
    ];
    const { c, dead } = await run('pc', proxy.url, db, good, poison);
    expect(dead.map((d) => d.sensor).sort()).toEqual(['backslash', 'far-future', 'replayed', 'replayed']);
    // the proxy refused whole batches (nothing of them stored), and passed only batches free of poison
    expect(proxy.refusedWhole).toBeGreaterThanOrEqual(poison.length);
    expect(proxy.passed).toBeGreaterThan(0);
    expect(await c.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBe(good.length);
    await c.stop();
  }, 60_000);
});
