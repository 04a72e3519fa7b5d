import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../harness/index.js';
import { killAll, type ServiceProcess } from '../pipeline/service-process.js';
import { startSensorStack, type SensorStack } from './sensor-stack.js';

/**
 * Issue 11: a step of the wall clock under a live sensor. libfaketime (Debian's `faketime`, installed
 * by scripts/setup.sh) moves the clock of the sensor process only: its offset is read from a file the
 * test rewrites. The monotonic clock is left alone, as an NTP step leaves it. Live capture on `lo`
 * needs root (CAP_NET_RAW).
 */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';
const PORT = 39_999;
const DAY_S = 86_400;

let skipReason: string | undefined;
let stack: SensorStack;
let traffic: Socket | undefined;
let sending: NodeJS.Timeout | undefined;

beforeAll(async () => {
  if (process.getuid?.() !== 0) skipReason = 'not root: live capture on lo needs CAP_NET_RAW';
  else if (!existsSync(LIBFAKETIME))
    skipReason = `${LIBFAKETIME} missing: install Debian's faketime (scripts/setup.sh)`;
  if (skipReason) return;
  stack = await startSensorStack();
  // A frame every 20 ms for the sensor to see, before and after the steps.
  traffic = createSocket('udp4');
  sending = setInterval(() => traffic!.send('tick', PORT, '127.0.0.1'), 20);
}, 60_000);

afterAll(async () => {
  clearInterval(sending);
  traffic?.close();
  await killAll();
  await stack?.dispose();
});

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Milliseconds /healthz takes to answer, the worst of five tries. */
async function slowestHealthz(sensor: ServiceProcess): Promise<number> {
  const url = `${await sensor.url()}/healthz`;
  let worst = 0;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
    await response.text();
    worst = Math.max(worst, performance.now() - started);
  }
  return worst;
}

describe('sensor under a wall-clock step', () => {
  it('a day forward: one gap, no burst of summaries, /healthz prompt, memory flat, capture on; a day back: no stall', async (context) => {
    if (skipReason) return context.skip(skipReason);
    const offsetFile = join(stack.dir, 'faketime-offset');
    writeFileSync(offsetFile, '+0\n');
    const sensor = stack.sensor(
      [
        '--id',
        'clock',
        '-i',
        'lo',
        '--filter',
        `udp port ${PORT}`,
        '--interval',
        '1',
        '--spool-dir',
        join(stack.dir, 'spool-clock'),
      ],
      {
        LD_PRELOAD: LIBFAKETIME,
        FAKETIME_TIMESTAMP_FILE: offsetFile,
        FAKETIME_CACHE_DURATION: '1',
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
      },
    );
    await sensor.ready();
    await waitFor(async () => (await sensor.metric('wirewatch_sensor_summaries_total')) >= 2, {
      what: 'two summaries',
      timeoutMs: 10_000,
    });
    const pid = sensor.child.pid!;
    const rssBefore = rssMb(pid);
    const summariesBefore = await sensor.metric('wirewatch_sensor_summaries_total');

    writeFileSync(offsetFile, '+1d\n');
    const gap = await waitFor(() => sensor.logs.find((l) => String(l.msg).startsWith('wall clock stepped forward')), {
      what: 'the forward step logged',
      timeoutMs: 10_000,
    });
    expect(gap).toMatchObject({ level: 'warn', interface: 'lo' });
    expect(Math.abs((gap.skippedIntervals as number) - DAY_S)).toBeLessThan(5);
    expect(await sensor.metric('wirewatch_sensor_clock_steps_total', { direction: 'forward' })).toBe(1);
    expect(Math.abs((await sensor.metric('wirewatch_sensor_clock_skipped_seconds_total')) - DAY_S)).toBeLessThan(5);
    const healthzMs = await slowestHealthz(sensor);
    expect(healthzMs).toBeLessThan(1000);

    // Summaries go on one a second in the new time, not 86,400 at once; frames keep being captured.
    const packetsAfterStep = await sensor.metric('wirewatch_sensor_packets_total');
    const summariesAfterStep = await sensor.metric('wirewatch_sensor_summaries_total');
    await waitFor(async () => (await sensor.metric('wirewatch_sensor_summaries_total')) >= summariesAfterStep + 2, {
      what: 'two summaries after the step',
    });
    expect((await sensor.metric('wirewatch_sensor_summaries_total')) - summariesBefore).toBeLessThan(20);
    expect(await sensor.metric('wirewatch_sensor_packets_total')).toBeGreaterThan(packetsAfterStep);
    const health = (await (await fetch(`${await sensor.url()}/healthz`)).json()) as {
      interfaces: Array<{ clockSteps: { forward: number; skippedMs: number } }>;
    };
    expect(health.interfaces[0].clockSteps.forward).toBe(1);
    const rssAfter = rssMb(pid);
    console.log(
      `a day forward: RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MB, /healthz worst ${healthzMs.toFixed(0)} ms, ${String(gap.skippedIntervals)} intervals skipped as one gap`,
    );
    expect(rssAfter - rssBefore).toBeLessThan(50);

    // And back: the open interval (a day ahead) is closed at once and summaries go on in the old time.
    writeFileSync(offsetFile, '+0\n');
    await waitFor(() => sensor.logs.some((l) => String(l.msg).startsWith('wall clock stepped backward')), {
      what: 'the backward step logged',
      timeoutMs: 10_000,
    });
    expect(await sensor.metric('wirewatch_sensor_clock_steps_total', { direction: 'backward' })).toBe(1);
    const summariesAfterBack = await sensor.metric('wirewatch_sensor_summaries_total');
    await waitFor(async () => (await sensor.metric('wirewatch_sensor_summaries_total')) >= summariesAfterBack + 2, {
      what: 'two summaries after stepping back',
    });
    expect(await sensor.metric('wirewatch_sensor_clock_steps_total', { direction: 'forward' })).toBe(1);
    expect(await slowestHealthz(sensor)).toBeLessThan(1000);
    expect(await sensor.stop()).toBe(0);
    expect(sensor.logs.at(-1)).toMatchObject({ msg: 'all summaries published', spooled: 0, droppedWriteErrors: 0 });
  }, 60_000);
});
