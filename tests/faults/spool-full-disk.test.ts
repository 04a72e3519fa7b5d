import { mkdirSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountSmallDisk, waitFor, type SmallDisk } from '../harness/index.js';
import { killAll } from '../pipeline/service-process.js';
import { writeManyHostsPcap } from './sensor-captures.js';
import { startMs, startSensorStack, type AnalyzeReport, type SensorStack } from './sensor-stack.js';

/**
 * Issue 11: the sensor's spool on a 2 MiB file system, with summaries of some 30 KB (200 sources
 * an interval) as in the report: 200 of them are some 6 MB, more than the disk holds unless
 * acknowledged records leave it. Quarter-second intervals: a power-of-two fraction, so analyze's
 * timeline (float seconds) and the sensor's (ms) agree on every interval.
 */
const INTERVAL = 0.25;
const CAPTURE = { startMs: Date.UTC(2026, 0, 1), intervals: 200, intervalMs: 250, hostsPerInterval: 200 };
let pcap: string;

let disk: SmallDisk | undefined;
let stack: SensorStack;
let lab: AnalyzeReport;

beforeAll(async () => {
  disk = mountSmallDisk('wirewatch-full-disk', '2m');
  if (disk.dir === undefined) return;
  stack = await startSensorStack();
  pcap = join(stack.dir, 'many-hosts.pcap');
  writeManyHostsPcap(pcap, CAPTURE);
  lab = await stack.analyze(pcap, INTERVAL);
}, 60_000);

afterAll(async () => {
  await killAll();
  await stack?.dispose();
  disk?.dispose();
});

/** Writes zeros to `path` until the file system is full. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

const finalLine = (logs: Array<Record<string, unknown>>) =>
  logs.filter((l) => typeof l.published === 'number' && typeof l.droppedDiskFull === 'number').at(-1);

describe('sensor spool on a 2 MiB disk', () => {
  it('takes a replay of over 4 MB of summaries with nothing dropped: acknowledged ones leave the disk', async (context) => {
    if (disk?.dir === undefined) return context.skip(disk?.skipReason);
    const mountPoint = disk.dir;
    // 4x the recorded pace: 16 summaries (0.5 MB) a second. What must fit the disk is the backlog not yet acknowledged, not the total.
    const sensor = stack.sensor([
      '--id',
      'small-disk',
      '--pcap',
      pcap,
      '--speed',
      '4',
      '--interval',
      String(INTERVAL),
      '--spool-dir',
      join(mountPoint, 'small-disk'),
    ]);
    expect(await sensor.exited, sensor.stderr()).toBe(0);
    const last = finalLine(sensor.logs);
    expect(last).toMatchObject({
      msg: 'all summaries published',
      published: lab.timeline.length,
      droppedDiskFull: 0,
      droppedWriteErrors: 0,
    });
    const stored = await stack.storedOnce('small-disk', lab.timeline.length);
    for (const point of lab.timeline) expect(stored.get(startMs(point.start)), String(point.start)).toBe(point.packets);
    const jsz = (await (await fetch(`${stack.nats.monitorUrl}/jsz`)).json()) as { bytes: number };
    expect(jsz.bytes).toBeGreaterThan(4 << 20); // twice the disk went through it
  }, 60_000);

  it('counts and logs the summaries dropped while the disk is full, writes again once space returns, and says so at the end', async (context) => {
    if (disk?.dir === undefined) return context.skip(disk?.skipReason);
    const mountPoint = disk.dir;
    const spoolDir = join(mountPoint, 'full-disk');
    mkdirSync(spoolDir);
    const filler = join(mountPoint, 'filler');
    fillDisk(filler);
    // 6x the recorded pace: about 8 s, time to see the drops and free the disk mid-replay.
    const sensor = stack.sensor([
      '--id',
      'full-disk',
      '--pcap',
      pcap,
      '--speed',
      '6',
      '--interval',
      String(INTERVAL),
      '--spool-dir',
      spoolDir,
    ]);
    await waitFor(
      async () => (await sensor.metric('wirewatch_sensor_spool_dropped_total', { reason: 'disk_full' })) >= 10,
      {
        what: 'ten summaries dropped on the full disk',
        timeoutMs: 20_000,
      },
    );
    const warning = sensor.logs.find((l) => l.msg === 'spool disk full: summary dropped');
    expect(warning).toMatchObject({ level: 'warn', error: 'ENOSPC' });
    // Throttled: one line (per 10 s) however many are dropped.
    expect(sensor.logs.filter((l) => l.msg === 'spool disk full: summary dropped').length).toBe(1);
    const health = (await (await fetch(`${await sensor.url()}/healthz`)).json()) as {
      spool: { droppedDiskFull: number; writeError?: string };
    };
    expect(health.spool.droppedDiskFull).toBeGreaterThanOrEqual(10);
    expect(health.spool.writeError).toBe('ENOSPC');

    rmSync(filler);
    await waitFor(
      () => sensor.logs.some((l) => l.msg === 'spool writable again; summaries are spooled and published'),
      { what: 'the spool to write again' },
    );
    const publishedBefore = await sensor.metric('wirewatch_sensor_published_total');
    await waitFor(async () => (await sensor.metric('wirewatch_sensor_published_total')) > publishedBefore, {
      what: 'publishing to resume',
    });
    const droppedMetric = await sensor.metric('wirewatch_sensor_spool_dropped_total', { reason: 'disk_full' });
    const refusedPacketsMetric = await sensor.metric('wirewatch_sensor_spool_refused_packets_total');

    expect(await sensor.exited, sensor.stderr()).toBe(0);
    const last = finalLine(sensor.logs)!;
    const dropped = last.droppedDiskFull as number;
    expect(dropped).toBe(droppedMetric); // all drops happened before the disk was freed
    expect(last.msg).toBe(
      `${lab.timeline.length - dropped} summaries published, ${dropped} dropped because the spool disk was full`,
    );
    expect(last).toMatchObject({ level: 'warn', published: lab.timeline.length - dropped });
    expect(String(last.msg)).not.toMatch(/^all/);

    // Stored: exactly analyze's intervals but the dropped ones, each with analyze's packet count.
    const stored = await stack.storedOnce('full-disk', lab.timeline.length - dropped);
    let missingPackets = 0;
    for (const point of lab.timeline) {
      const packets = stored.get(startMs(point.start));
      if (packets === undefined) missingPackets += point.packets;
      else expect(packets, String(point.start)).toBe(point.packets);
    }
    expect(missingPackets).toBe(refusedPacketsMetric);
    expect([...stored.values()].reduce((a, b) => a + b, 0)).toBe(lab.packets - refusedPacketsMetric);
  }, 60_000);
});
