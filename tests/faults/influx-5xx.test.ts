import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { ROOT } from '../corpus/corpus.js';
import { startInfluxV1, startNats, waitFor, type InfluxV1Handle, type NatsHandle } from '../harness/index.js';
import { storedInInflux } from '../pipeline/readback.js';
import { killAll, startService, type ServiceProcess } from '../pipeline/service-process.js';
import { startRefusingProxy, type RefusingProxy } from './influx-5xx-proxy.js';

/**
 * Issue 11: InfluxDB answering 5xx to every write "for minutes". Here 24 s (12 s of 503, then 12 s of
 * 500): long enough to cross six of the writer's backoffs (250 ms doubling, jittered), and eight ack
 * waits of the consumer (3 s here). Past that, the writer waits at most 30 s between attempts and
 * JetStream only sees the batch extended again: a longer outage repeats the same steps (not run).
 */
const LAB = join(ROOT, 'samples/lab.pcap');
const DATABASE = 'outage';
const PHASE_MS = 12_000;

let bundle: string;
let nats: NatsHandle;
let influx: InfluxV1Handle;
let proxy: RefusingProxy;

beforeAll(async () => {
  [bundle, nats, influx] = await Promise.all([buildCli(), startNats(), startInfluxV1()]);
  await influx.createDatabase(DATABASE);
  proxy = await startRefusingProxy(influx.url);
}, 60_000);

afterAll(async () => {
  await killAll();
  await proxy?.close();
  await Promise.allSettled([nats?.dispose(), influx?.dispose()]);
});

const http = ['--http-port', '0', '--http-host', '127.0.0.1'];

function collector(database: string, env: Record<string, string>): ServiceProcess {
  return startService(
    bundle,
    [
      'collector',
      '--nats',
      nats.url,
      ...http,
      '--influx-url',
      proxy.url,
      '--influx-api',
      'v1',
      '--influx-db',
      database,
    ],
    {
      WIREWATCH_CONSUMER_ACK_WAIT_SECONDS: '3',
      ...env,
    },
  );
}

async function readyz(service: ServiceProcess): Promise<{ status: number; reason: string }> {
  const response = await fetch(`${await service.url()}/readyz`);
  return { status: response.status, reason: ((await response.json()) as { reason?: string }).reason ?? '' };
}

interface Outage {
  lab: { packets: number; bytes: number; timeline: unknown[] };
  first: ServiceProcess;
  second: ServiceProcess;
  /** Warning and error lines of both collectors during the outage. */
  linesDuringOutage: number;
  outageStart: number;
}

/**
 * The sensor `sensor` replays the capture into JetStream first (it makes the stream); then the proxy
 * refuses every write (503, then 500) while two replicas of one durable consumer start, one after the
 * other; then writes pass, and everything is stored as analyze counts it, once.
 */
async function outage(sensorId: string, database: string, env: Record<string, string>): Promise<Outage> {
  await influx.createDatabase(database);
  proxy.refused.clear();
  proxy.passed.clear();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [bundle, 'analyze', LAB, '--interval', '1', '--no-progress', '--json', '-'],
    { maxBuffer: 64 << 20 },
  );
  const lab = JSON.parse(stdout) as Outage['lab'];
  const sensor = startService(
    bundle,
    [
      'sensor',
      '--nats',
      nats.url,
      ...http,
      '--id',
      sensorId,
      '--pcap',
      LAB,
      '--speed',
      'max',
      '--spool-dir',
      join(influx.dir, `spool-${sensorId}`),
    ],
    {
      WIREWATCH_NATS_MANAGE_STREAMS: 'true',
    },
  );
  expect(await sensor.exited, sensor.stderr()).toBe(0);

  proxy.refuseWith = 503;
  const outageStart = Date.now();
  const first = collector(database, env);
  await waitFor(
    async () => (await readyz(first)).status === 503 && (await readyz(first)).reason.includes('writes failing'),
    {
      what: '/readyz 503 while writes are refused',
      timeoutMs: 15_000,
    },
  );
  expect((await readyz(first)).reason).toMatch(
    /^InfluxDB writes failing \(the last 3 attempts or more\): InfluxDB at .* answered HTTP 503/,
  );
  const second = collector(database, env);
  await second.url();

  await waitFor(() => Date.now() - outageStart >= PHASE_MS, {
    what: 'the 503 phase',
    timeoutMs: PHASE_MS + 1000,
    intervalMs: 200,
  });
  proxy.refuseWith = 500;
  await waitFor(() => Date.now() - outageStart >= 2 * PHASE_MS, {
    what: 'the 500 phase',
    timeoutMs: PHASE_MS + 1000,
    intervalMs: 200,
  });
  expect((await readyz(first)).status).toBe(503);
  expect(await storedInInflux(influx, database, sensorId)).toMatchObject({ packets: 0, intervals: 0 });
  const loud = (s: ServiceProcess) =>
    s.logs.filter((l) => l.level === 'warn' || l.level === 'error' || l.level === 'fatal').length;
  const linesDuringOutage = loud(first) + loud(second);
  expect(first.logs.filter((l) => l.msg === 'InfluxDB write failed; retrying').length).toBeGreaterThan(3);
  proxy.refuseWith = null;

  // Back: everything stored exactly once, as analyze counts it.
  await waitFor(async () => (await storedInInflux(influx, database, sensorId)).packets === lab.packets, {
    what: `all ${lab.packets} frames stored after the outage`,
    timeoutMs: 40_000,
  });
  expect(await storedInInflux(influx, database, sensorId)).toMatchObject({
    packets: lab.packets,
    bytes: lab.bytes,
    intervals: lab.timeline.length,
  });
  await waitFor(async () => (await readyz(first)).status === 200, {
    what: '/readyz 200 after the outage',
    timeoutMs: 15_000,
  });
  // Logged once per reason: one line for the 503s, one when they turned into 500s.
  expect(first.logs.filter((l) => l.msg === 'not ready: InfluxDB').map((l) => l.reason)).toEqual([
    expect.stringMatching(/answered HTTP 503/),
    expect.stringMatching(/answered HTTP 500/),
  ]);
  expect(first.logs.some((l) => l.msg === 'InfluxDB takes writes again')).toBe(true);

  // Every refused request is a failed attempt in /metrics (and every failed attempt was a refusal).
  const refused = [...proxy.refused.values()].reduce((a, b) => a + b, 0);
  expect(proxy.refused.get(503)).toBeGreaterThan(0);
  expect(proxy.refused.get(500)).toBeGreaterThan(0);
  const failedAttempts =
    (await first.metric('wirewatch_collector_influx_failed_attempts_total')) +
    (await second.metric('wirewatch_collector_influx_failed_attempts_total'));
  expect(failedAttempts).toBe(refused);
  expect(await first.metric('wirewatch_collector_influx_retries_total')).toBeGreaterThan(0);
  return { lab, first, second, linesDuringOutage, outageStart };
}

const report = async (name: string, o: Outage) =>
  console.log(
    `influx-5xx (${name}): refused ${JSON.stringify(Object.fromEntries(proxy.refused))}, passed ${JSON.stringify(Object.fromEntries(proxy.passed))}, ` +
      `warning/error lines during the outage ${o.linesDuringOutage}, stored ${((Date.now() - o.outageStart) / 1000).toFixed(1)} s after the outage began, ` +
      `redelivered ${(await o.first.metric('wirewatch_collector_redelivered_total')) + (await o.second.metric('wirewatch_collector_redelivered_total'))}`,
  );

describe('InfluxDB answering 5xx to every write for a long while', () => {
  it('nothing is lost or stored twice, /readyz says why meanwhile, the refusals are counted, the log stays short', async () => {
    const o = await outage('outage', DATABASE, {});
    // One batch held every summary: it was extended, not redelivered, and the second replica took none of it.
    expect(await o.second.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBe(0);
    expect(await o.first.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBe(o.lab.timeline.length);
    expect(await o.first.metric('wirewatch_collector_redelivered_total', { kind: 'summary' })).toBe(0);
    // The log: a retry line per attempt, the attempts spaced by a doubling backoff, so a few dozen lines for the whole outage.
    expect(o.linesDuringOutage).toBeLessThanOrEqual(40);
    await report('one batch', o);
    await Promise.all([o.first.stop(), o.second.stop()]);
  }, 90_000);

  it('batches of 10 shared by two replicas: both retry their batches, and everything is stored once', async () => {
    // Own durable consumers: they start from the stream's first message, the first test's summaries included (another sensor).
    const o = await outage('outage-small', 'outage_small', {
      WIREWATCH_CONSUMER_BATCH_SIZE: '10',
      WIREWATCH_CONSUMER_SUMMARIES: 'small-summaries',
      WIREWATCH_CONSUMER_HEARTBEATS: 'small-heartbeats',
      WIREWATCH_FLEET_CONSUMER: 'small-fleet',
    });
    // Both replicas held batches through the outage (stored, then, by either of them, each interval once: see outage()).
    // A batch still in its backoff (the writer waits up to 30 s) is written once that ends.
    const taken = async (s: ServiceProcess) => s.metric('wirewatch_collector_messages_total', { kind: 'summary' });
    await waitFor(async () => (await taken(o.first)) > 0 && (await taken(o.second)) > 0, {
      what: 'both replicas to have written summaries',
      timeoutMs: 35_000,
    });
    await report('batches of 10', o);
    await Promise.all([o.first.stop(), o.second.stop()]);
  }, 120_000);
});
