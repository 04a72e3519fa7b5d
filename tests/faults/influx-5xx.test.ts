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

function collector(): ServiceProcess {
  return startService(bundle, ['collector', '--nats', nats.url, ...http, '--influx-url', proxy.url, '--influx-api', 'v1', '--influx-db', DATABASE], {
    WIREWATCH_CONSUMER_ACK_WAIT_SECONDS: '3',
  });
}

async function readyz(service: ServiceProcess): Promise<{ status: number; reason: string }> {
  const response = await fetch(`${await service.url()}/readyz`);
  return { status: response.status, reason: ((await response.json()) as { reason?: string }).reason ?? '' };
}

describe('InfluxDB answering 5xx to every write for a long while', () => {
  it('nothing is lost or stored twice, /readyz says why meanwhile, the refusals are counted, the log stays short', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bundle, 'analyze', LAB, '--interval', '1', '--no-progress', '--json', '-'], { maxBuffer: 64 << 20 });
    const lab = JSON.parse(stdout) as { packets: number; bytes: number; timeline: unknown[] };

    // The whole capture in JetStream first (the sensor makes the stream), so one batch holds it.
    const sensor = startService(bundle, ['sensor', '--nats', nats.url, ...http, '--id', 'outage', '--pcap', LAB, '--speed', 'max', '--spool-dir', join(influx.dir, 'spool')], {
      WIREWATCH_NATS_MANAGE_STREAMS: 'true',
    });
    expect(await sensor.exited, sensor.stderr()).toBe(0);

    proxy.refuseWith = 503;
    const outageStart = Date.now();
    const first = collector();
    await waitFor(async () => (await readyz(first)).status === 503 && (await readyz(first)).reason.includes('writes failing'), {
      what: '/readyz 503 while writes are refused',
      timeoutMs: 15_000,
    });
    expect((await readyz(first)).reason).toMatch(/^InfluxDB writes failing \(the last 3 attempts or more\): InfluxDB at .* answered HTTP 503/);
    // A second replica of the same durable consumer: it must not be handed the batch the first is retrying.
    const second = collector();
    await second.url();

    await waitFor(() => Date.now() - outageStart >= PHASE_MS, { what: 'the 503 phase', timeoutMs: PHASE_MS + 1000, intervalMs: 200 });
    proxy.refuseWith = 500;
    await waitFor(() => Date.now() - outageStart >= 2 * PHASE_MS, { what: 'the 500 phase', timeoutMs: PHASE_MS + 1000, intervalMs: 200 });
    expect((await readyz(first)).status).toBe(503);
    expect(await storedInInflux(influx, DATABASE, 'outage')).toMatchObject({ packets: 0, intervals: 0 });
    const loud = (s: ServiceProcess) => s.logs.filter((l) => l.level === 'warn' || l.level === 'error' || l.level === 'fatal').length;
    const linesDuringOutage = loud(first) + loud(second);
    expect(first.logs.filter((l) => l.msg === 'InfluxDB write failed; retrying').length).toBeGreaterThan(3);
    proxy.refuseWith = null;

    // Back: everything stored exactly once, as analyze counts it.
    await waitFor(async () => (await storedInInflux(influx, DATABASE, 'outage')).packets === lab.packets, {
      what: `all ${lab.packets} frames stored after the outage`,
      timeoutMs: 40_000,
    });
    const stored = await storedInInflux(influx, DATABASE, 'outage');
    expect(stored).toMatchObject({ packets: lab.packets, bytes: lab.bytes, intervals: lab.timeline.length });
    await waitFor(async () => (await readyz(first)).status === 200, { what: '/readyz 200 after the outage', timeoutMs: 15_000 });
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
    const failedAttempts = (await first.metric('wirewatch_collector_influx_failed_attempts_total')) + (await second.metric('wirewatch_collector_influx_failed_attempts_total'));
    expect(failedAttempts).toBe(refused);
    expect(await first.metric('wirewatch_collector_influx_retries_total')).toBeGreaterThan(0);

    // The batch being retried was extended, not redelivered: the second replica stored none of it.
    expect(await second.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBe(0);
    expect(await first.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBe(lab.timeline.length);
    expect(await first.metric('wirewatch_collector_redelivered_total', { kind: 'summary' })).toBe(0);

    // The log: a retry line per attempt, the attempts spaced by a doubling backoff, so a few dozen lines for the whole outage.
    expect(linesDuringOutage).toBeLessThanOrEqual(40);
    console.log(
      `influx-5xx: refused ${JSON.stringify(Object.fromEntries(proxy.refused))}, passed ${JSON.stringify(Object.fromEntries(proxy.passed))}, ` +
        `warning/error lines during the outage ${linesDuringOutage}, recovered ${((Date.now() - outageStart) / 1000).toFixed(1)} s after the outage began`,
    );
    await Promise.all([first.stop(), second.stop()]);
  }, 90_000);
});
