import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, influxRows, waitFor } from '../harness/index.js';
import { killAll, type ServiceProcess } from '../pipeline/service-process.js';
import { DATABASE, startSensorStack, type SensorStack } from './sensor-stack.js';

/** Long enough that the whole restart (stop, gap, start) happens inside one interval. */
const INTERVAL_MS = 20_000;
const canCapture = process.getuid?.() === 0 || process.env.CI !== undefined;

let stack: SensorStack;

beforeAll(async () => {
  if (canCapture) stack = await startSensorStack();
}, 60_000);

afterAll(async () => {
  await killAll();
  await stack?.dispose();
});

/** Sends `count` UDP datagrams to 127.0.0.1:`port`, one after the other; returns when the first and last left. */
async function send(port: number, count: number): Promise<{ first: number; last: number }> {
  const socket = createSocket('udp4');
  const first = Date.now();
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) =>
      socket.send(Buffer.alloc(64, i & 0xff), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    );
  }
  const last = Date.now();
  socket.close();
  return { first, last };
}

/** A live sensor on lo that sees only datagrams to `port`. */
function liveSensor(id: string, port: number, spoolDir: string): ServiceProcess {
  return stack.sensor([
    '--id',
    id,
    '--interface',
    'lo',
    '--filter',
    `udp and dst port ${port}`,
    '--interval',
    String(INTERVAL_MS / 1000),
    '--spool-dir',
    spoolDir,
  ]);
}

async function capturing(sensor: ServiceProcess, packets: number): Promise<void> {
  await waitFor(async () => (await sensor.metric('wirewatch_sensor_packets_total')) === packets, {
    what: `${packets} packets captured`,
    timeoutMs: 10_000,
  });
}

/** Waits until the wall clock is early in an interval, so the restart that follows stays inside it. */
async function earlyInInterval(): Promise<number> {
  await waitFor(() => Date.now() % INTERVAL_MS > 200 && Date.now() % INTERVAL_MS < 5000, {
    what: 'the start of an interval',
    timeoutMs: INTERVAL_MS + 1000,
  });
  return Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS;
}

interface StoredPoint {
  time: number;
  packets: number;
  restart_gap_seconds: number | null;
  restart_unpublished_packets: number | null;
}

async function storedPoints(sensor: string): Promise<StoredPoint[]> {
  const rows = influxRows(
    await stack.influx.query(
      `SELECT packets, restart_gap_seconds, restart_unpublished_packets FROM traffic WHERE sensor = '${sensor}'`,
      DATABASE,
    ),
  );
  return rows.map((r) => ({
    time: Number(r.time),
    packets: Number(r.packets),
    restart_gap_seconds: r.restart_gap_seconds === null ? null : Number(r.restart_gap_seconds),
    restart_unpublished_packets: r.restart_unpublished_packets === null ? null : Number(r.restart_unpublished_packets),
  }));
}

const total = (points: StoredPoint[]) => points.reduce((n, p) => n + p.packets, 0);

describe.skipIf(!canCapture)('live sensor restarted mid-interval on lo', () => {
  it("SIGTERM: both runs' partial intervals are stored and add up; only the datagrams sent in the counted gap are missing", async () => {
    const port = await freePort();
    const spoolDir = join(stack.dir, 'spool-term');
    const first = liveSensor('restart-term', port, spoolDir);
    await first.ready();
    const interval = await earlyInInterval();
    await send(port, 300);
    await capturing(first, 300);
    expect(await first.stop()).toBe(0);

    const gap = await send(port, 100); // no sensor captures these
    const second = liveSensor('restart-term', port, spoolDir);
    await second.ready();
    const health = (await (await fetch(`${await second.url()}/healthz`)).json()) as {
      restart?: { clean: boolean; gapSeconds: number; unpublishedPackets: number };
    };
    expect(health.restart).toMatchObject({ clean: true, unpublishedPackets: 0 });
    expect(await second.metric('wirewatch_sensor_restart_gap_seconds')).toBe(health.restart!.gapSeconds);
    await send(port, 200);
    await capturing(second, 200);
    expect(Date.now(), 'the restart happened inside one interval').toBeLessThan(interval + INTERVAL_MS);
    expect(await second.stop()).toBe(0);

    const restarted = second.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('restarted:'));
    expect(restarted).toMatchObject({ level: 'warn', clean: true, unpublishedPackets: 0 });
    // The gap the sensor counted spans the moments the uncaptured datagrams were sent.
    expect(Date.parse(String(restarted!.from))).toBeLessThanOrEqual(gap.first);
    expect(Date.parse(String(restarted!.to))).toBeGreaterThanOrEqual(gap.last);

    // 600 sent = 500 stored + the 100 of the gap. Before run-distinct timestamps the second run's point replaced the first's: 200 stored.
    await waitFor(async () => total(await storedPoints('restart-term')) === 500, {
      what: '500 packets stored',
      timeoutMs: 20_000,
    });
    const inInterval = (await storedPoints('restart-term')).filter((p) => p.time === interval);
    expect(inInterval.map((p) => p.packets).sort((a, b) => a - b)).toEqual([200, 300]);
    const marked = inInterval.find((p) => p.restart_gap_seconds !== null)!;
    expect(marked.packets).toBe(200);
    expect(marked.restart_gap_seconds).toBe(
      (Date.parse(String(restarted!.to)) - Date.parse(String(restarted!.from))) / 1000,
    );
    expect(marked.restart_gap_seconds).toBe(health.restart!.gapSeconds);
    expect(marked.restart_unpublished_packets).toBe(0);
  }, 60_000);

  it("SIGKILL: the killed run's unpublished packets are counted on the next run's first summary; stored + counted + gap = sent", async () => {
    const port = await freePort();
    const spoolDir = join(stack.dir, 'spool-kill');
    const first = liveSensor('restart-kill', port, spoolDir);
    await first.ready();
    const interval = await earlyInInterval();
    await send(port, 300);
    await capturing(first, 300);
    // The checkpoint (every second) holds the open interval's 300 packets: a kill now loses them, counted.
    const checkpoint = join(spoolDir, 'run-checkpoint.json');
    await waitFor(
      () =>
        (JSON.parse(readFileSync(checkpoint, 'utf8')) as { open: Array<{ packets: number }> }).open[0]?.packets === 300,
      {
        what: 'a checkpoint of the open interval',
      },
    );
    expect(await first.kill()).toBe('SIGKILL');

    const gap = await send(port, 100);
    const second = liveSensor('restart-kill', port, spoolDir);
    await second.ready();
    expect(await second.metric('wirewatch_sensor_restart_unpublished_packets')).toBe(300);
    await send(port, 200);
    await capturing(second, 200);
    expect(Date.now(), 'the restart happened inside one interval').toBeLessThan(interval + INTERVAL_MS);
    expect(await second.stop()).toBe(0);

    const restarted = second.logs.find(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('restarted after the previous run was killed'),
    );
    expect(restarted).toMatchObject({ level: 'warn', clean: false, unpublishedPackets: 300 });
    expect(Date.parse(String(restarted!.from))).toBeLessThanOrEqual(gap.first);
    expect(Date.parse(String(restarted!.to))).toBeGreaterThanOrEqual(gap.last);

    await waitFor(async () => total(await storedPoints('restart-kill')) === 200, {
      what: '200 packets stored',
      timeoutMs: 20_000,
    });
    const points = await storedPoints('restart-kill');
    const marked = points.filter((p) => p.restart_unpublished_packets !== null);
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatchObject({ time: interval, packets: 200, restart_unpublished_packets: 300 });
    // 600 sent = 200 stored + 300 counted unpublished + the 100 sent in the counted gap.
    expect(total(points) + marked[0].restart_unpublished_packets! + 100).toBe(600);
  }, 60_000);
});
