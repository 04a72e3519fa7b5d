/**
 * Messages a NATS user may publish but must not be believed: a body speaking for another sensor than
 * its subject, and forged sizes. Real nats-server and influxd, the collector and alerter run from the
 * built CLI, as in production.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { DEFAULT_SKETCH_SHAPE, buildSummaryMessage, encodeMessage, type HeartbeatMessage } from '@wirewatch/protocol';
import { summarizerWithHosts } from '@wirewatch/traffic/testing';
import {
  influxRows,
  startInfluxV1,
  startNats,
  waitFor,
  type InfluxV1Handle,
  type NatsHandle,
} from '../harness/index.js';
import { storedInInflux } from '../pipeline/readback.js';
import { killAll, startService, type ServiceProcess, collectorArgs } from '../pipeline/service-process.js';
import { publishAll, publishRaw, syntheticSummary } from '../pipeline/synthetic.js';

const DATABASE = 'wirewatch';
/** Short, so a test can watch a dead-lettered message outlive its ack wait without being redelivered. */
const ACK_WAIT_SECONDS = 1;

let bundle: string;
let nats: NatsHandle;
let influx: InfluxV1Handle;
let dir: string;
let jsm: JetStreamManager;
let closeNats: () => Promise<void>;
/** One collector for the collector tests (they run in order; counters are cumulative). */
let c: ServiceProcess;

beforeAll(async () => {
  [bundle, nats, influx] = await Promise.all([buildCli(), startNats(), startInfluxV1()]);
  await influx.createDatabase(DATABASE);
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-hostile-'));
  const nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  closeNats = () => nc.close();
  c = collector('hostile');
  await c.ready();
}, 60_000);

afterAll(async () => {
  await killAll();
  await closeNats?.();
  await Promise.allSettled([nats?.dispose(), influx?.dispose()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function collector(group: string): ServiceProcess {
  return startService(bundle, collectorArgs(nats.url, { url: influx.url, db: DATABASE }, '--top', '100'), {
    WIREWATCH_CONSUMER_SUMMARIES: `${group}-summaries`,
    WIREWATCH_CONSUMER_HEARTBEATS: `${group}-heartbeats`,
    WIREWATCH_FLEET_CONSUMER: `${group}-fleet`,
    WIREWATCH_CONSUMER_ACK_WAIT_SECONDS: String(ACK_WAIT_SECONDS),
  });
}

function heartbeat(sensor: string, published: number): Uint8Array {
  const message: HeartbeatMessage = {
    type: 'heartbeat',
    version: 1,
    sensor,
    run: 'run1',
    sent: Date.now(),
    started: Date.now() - 60_000,
    software: 'wirewatch test',
    interfaces: [
      {
        name: 'eth0',
        running: true,
        packets: published,
        bytes: published,
        decode_errors: 0,
        kernel_dropped: 0,
        pcap_written: 0,
        pcap_write_errors: 0,
      },
    ],
    published,
    last_seq: published,
    publish_lag_ms: 0,
    spool: {
      records: 0,
      bytes: 0,
      dropped_oldest: 0,
      dropped_write_errors: 0,
      dropped_oversize: 0,
      corrupt_skipped: 0,
    },
  };
  return encodeMessage(message);
}

/** Dead-lettered copies whose original subject is `subject`, with their reason header. */
async function deadLetters(subject: string): Promise<string[]> {
  const info = await jsm.streams.info('WIREWATCH_DEADLETTER').catch(() => undefined);
  const reasons: string[] = [];
  if (!info) return reasons;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage('WIREWATCH_DEADLETTER', { seq }).catch(() => null);
    if (m?.header.get('Wirewatch-Original-Subject') === subject) reasons.push(m.header.get('Wirewatch-Reject-Reason'));
  }
  return reasons;
}

async function storedHealth(sensor: string): Promise<Array<Record<string, unknown>>> {
  return influxRows(
    await influx.query(`SELECT published, last_seq FROM sensor_health WHERE sensor = '${sensor}'`, DATABASE),
  );
}

/** Watches `check` until `ms` have passed (no event marks "not redelivered": the consumer state is polled past the ack wait). */
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

describe('a sensor cannot speak for another', () => {
  it('collector: a summary and a heartbeat on edge1 claiming to be "victim" are dead-lettered (identity) and the victim\'s data is unchanged', async () => {
    const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    await publishAll(nats.url, [
      { sensor: 'victim', seq: 1, data: syntheticSummary('victim', 1, start, [1, 2, 3], 500) },
    ]);
    await publishRaw(nats.url, 'wirewatch.v1.heartbeat.victim', heartbeat('victim', 7));
    await waitFor(
      async () =>
        (await storedInInflux(influx, DATABASE, 'victim')).intervals === 1 &&
        (await storedHealth('victim')).length === 1,
      {
        what: "the victim's own summary and heartbeat stored",
        timeoutMs: 15_000,
      },
    );
    const before = await storedInInflux(influx, DATABASE, 'victim');
    expect(before.packets).toBe(3);

    // The attack: a zeroed copy of the victim's interval (same start, same seq), and a heartbeat, sent by edge1.
    await publishRaw(nats.url, 'wirewatch.v1.summary.edge1', syntheticSummary('victim', 1, start, [], 0));
    await publishRaw(nats.url, 'wirewatch.v1.heartbeat.edge1', heartbeat('victim', 0));
    await waitFor(
      async () =>
        (await deadLetters('wirewatch.v1.summary.edge1')).length === 1 &&
        (await deadLetters('wirewatch.v1.heartbeat.edge1')).length === 1,
      {
        what: 'both forgeries dead-lettered',
        timeoutMs: 15_000,
      },
    );
    expect(await deadLetters('wirewatch.v1.summary.edge1')).toEqual([
      'identity: body says sensor "victim" but it arrived on wirewatch.v1.summary.edge1, not wirewatch.v1.summary.victim',
    ]);
    expect(await deadLetters('wirewatch.v1.heartbeat.edge1')).toEqual([
      'identity: body says sensor "victim" but it arrived on wirewatch.v1.heartbeat.edge1, not wirewatch.v1.heartbeat.victim',
    ]);
    expect(await c.metric('wirewatch_collector_rejected_total', { kind: 'summary', reason: 'identity' })).toBe(1);
    expect(await c.metric('wirewatch_collector_rejected_total', { kind: 'heartbeat', reason: 'identity' })).toBe(1);
    await waitFor(
      async () => (await c.metric('wirewatch_collector_fleet_skipped_total', { reason: 'identity' })) === 1,
      { what: 'the fleet merge skipping it too' },
    );
    expect(
      c.logs.filter((l) => l.reason === 'identity' && String(l.msg).startsWith('rejected a message')),
    ).toHaveLength(2);

    const after = await storedInInflux(influx, DATABASE, 'victim');
    expect(after).toEqual(before);
    expect((await storedHealth('victim')).map((r) => r.published)).toEqual([7]);
    expect(await storedHealth('edge1')).toEqual([]);
  }, 60_000);

  it('collector: a dead-lettered message is settled for good (nats-server 2.9 ignored a TERM with a reason and redelivered it forever)', async () => {
    const rejected = () => c.metric('wirewatch_collector_rejected_total', { kind: 'summary', reason: 'identity' });
    const before = await rejected();
    await publishRaw(nats.url, 'wirewatch.v1.summary.edge2', syntheticSummary('someone-else', 1, 5_000_000, [1], 100));
    await waitFor(async () => (await rejected()) === before + 1, { what: 'the forgery rejected' });
    await holdsFor(ACK_WAIT_SECONDS * 3000, async () => {
      const info = await jsm.consumers.info('WIREWATCH', 'hostile-summaries');
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_redelivered).toBe(0);
    });
    expect(await rejected()).toBe(before + 1);
    expect(await c.metric('wirewatch_collector_redelivered_total')).toBe(0);
  }, 60_000);

  it("collector: unknown decode-error reasons in a sensor's own summary are stored as `other`, never as new InfluxDB fields", async () => {
    const body = JSON.parse(Buffer.from(syntheticSummary('fieldy', 1, 6_000_000, [1], 100)).toString()) as Record<
      string,
      unknown
    >;
    const invented = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`made-up-${i}`, 1]));
    body.decode_errors = { total: 20_002, by_reason: { ...invented, 'udp.truncated': 2 } };
    await publishRaw(nats.url, 'wirewatch.v1.summary.fieldy', Buffer.from(JSON.stringify(body)));
    await waitFor(
      async () =>
        influxRows(await influx.query(`SELECT * FROM decode_errors WHERE sensor = 'fieldy'`, DATABASE)).length === 1,
      {
        what: 'the decode errors stored',
        timeoutMs: 15_000,
      },
    );
    const [row] = influxRows(await influx.query(`SELECT * FROM decode_errors WHERE sensor = 'fieldy'`, DATABASE));
    expect(row).toMatchObject({ other: 20_000, udp_truncated: 2 });
    const fields = influxRows(await influx.query('SHOW FIELD KEYS FROM decode_errors', DATABASE)).map(
      (r) => r.fieldKey,
    );
    expect(fields.sort()).toEqual(['other', 'udp_truncated']);
  }, 60_000);

  it("collector: a summary with other sketch sizes than the fleet's, first of its interval, is stored, left out of the fleet merge and counted; the real ones are merged", async () => {
    const start = 7_000_000;
    const shapeSkips = await c.metric('wirewatch_collector_fleet_skipped_total', { reason: 'shape' });
    // The hostile one first: before the fleet's shape was pinned, it set its interval's shape and kept the real ones out.
    const wider = summarizerWithHosts([9], 100, { capacity: 128, precision: 10 });
    const hostile = buildSummaryMessage(wider, {
      sensor: 'shape-b',
      run: 'r',
      seq: 1,
      interface: 'eth0',
      start,
      end: start + 1000,
      emitted: Date.now(),
      kernelDropped: 0,
      late: 0,
    });
    const real = (sensor: string) =>
      buildSummaryMessage(summarizerWithHosts([1], 100, { ...DEFAULT_SKETCH_SHAPE }), {
        sensor,
        run: 'r',
        seq: 1,
        interface: 'eth0',
        start,
        end: start + 1000,
        emitted: Date.now(),
        kernelDropped: 0,
        late: 0,
      });
    await publishAll(nats.url, [
      { sensor: 'shape-b', seq: 1, data: encodeMessage(hostile) },
      { sensor: 'shape-a', seq: 1, data: encodeMessage(real('shape-a')) },
      { sensor: 'shape-c', seq: 1, data: encodeMessage(real('shape-c')) },
    ]);
    await waitFor(
      async () => (await c.metric('wirewatch_collector_fleet_skipped_total', { reason: 'shape' })) === shapeSkips + 1,
      { what: 'the other shape skipped by the fleet merge', timeoutMs: 25_000 },
    );
    const fleet = () =>
      influx.query(`SELECT "key", sensors FROM fleet_top WHERE time = ${start}ms AND list = 'sources'`, DATABASE);
    await waitFor(async () => influxRows(await fleet()).length === 1, {
      what: 'the interval merged without it',
      timeoutMs: 25_000,
    });
    expect(influxRows(await fleet())).toMatchObject([{ key: '0.0.0.1', sensors: 2 }]);
    expect((await storedInInflux(influx, DATABASE, 'shape-b')).packets).toBe(1);
    expect(c.logs.filter((l) => String(l.msg).startsWith("a summary's sketch sizes differ"))).toHaveLength(1);
  }, 60_000);

  it('alerter: ignores (counts, logs once) a summary on edge1 claiming to be "victim", which on the victim\'s own subject fires a rule', async () => {
    writeFileSync(
      join(dir, 'rules.yaml'),
      `rules:
  - name: victim-spike
    kind: threshold
    severity: critical
    group_by: [sensor]
    metric: bytes_per_second
    aggregate: max
    window: 1s
    above: 100000
`,
    );
    writeFileSync(join(dir, 'alerter.yaml'), `rules: ${join(dir, 'rules.yaml')}\n`);
    // Its own NATS server: the alerter's new durable consumers would otherwise judge the forgeries above too.
    const own = await startNats();
    try {
      const a = startService(bundle, [
        'alerter',
        '-c',
        join(dir, 'alerter.yaml'),
        '--nats',
        own.url,
        '--http-port',
        '0',
        '--http-host',
        '127.0.0.1',
      ]);
      await waitFor(async () => (await a.metric('wirewatch_alerter_active')) === 1, {
        what: 'alerter active',
        timeoutMs: 20_000,
      });
      const start = Math.floor(Date.now() / 1000) * 1000 - 5000;
      const loud = syntheticSummary('victim', 9, start, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50_000);

      await publishRaw(own.url, 'wirewatch.v1.summary.edge1', loud);
      await publishRaw(own.url, 'wirewatch.v1.heartbeat.edge1', heartbeat('victim', 1));
      await waitFor(async () => (await a.metric('wirewatch_alerter_messages_total', { kind: 'invalid' })) === 2, {
        what: 'both forgeries skipped',
        timeoutMs: 15_000,
      });
      expect(await a.metric('wirewatch_alerter_messages_total', { kind: 'summary' })).toBe(0);
      expect(await a.metric('wirewatch_alerter_transitions_total')).toBe(0);
      const logged = a.logs.filter((l) => String(l.msg).startsWith('skipped a message it cannot trust'));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        reason: 'identity',
        subject: expect.stringMatching(/^wirewatch\.v1\.(summary|heartbeat)\.edge1$/),
      });

      // The same body on the victim's own subject is believed: the rule fires (so the skip above was the check).
      await publishRaw(own.url, 'wirewatch.v1.summary.victim', loud);
      await waitFor(async () => (await a.metric('wirewatch_alerter_transitions_total')) > 0, {
        what: 'the rule firing on the genuine message',
        timeoutMs: 15_000,
      });
      await a.stop();
    } finally {
      await own.dispose();
    }
  }, 60_000);
});
