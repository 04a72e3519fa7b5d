import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountSmallDisk, waitFor, type SmallDisk } from '../harness/index.js';
import { killAll } from '../pipeline/service-process.js';
import { writeManyHostsPcap } from './sensor-captures.js';
import { startMs, startSensorStack, type AnalyzeReport, type SensorStack } from './sensor-stack.js';

/**
 * Issue 11: the sensor's raw PCAP copy (`--write-pcap`) on a 2 MiB file system, with a ring of
 * 20 files of 0.25 MiB (5 MiB: more than the disk), fed a 6 MB capture. The disk fills a third of the
 * way in; the summaries must not notice, and the ring must go on with the newest frames.
 */
const INTERVAL = 0.25;
const CAPTURE = { startMs: Date.UTC(2026, 0, 2), intervals: 200, intervalMs: 250, hostsPerInterval: 400 };
const DISK_BYTES = 2 << 20;
const WARNING = 'writing the PCAP copy failed; capture goes on';

let disk: SmallDisk | undefined;
let stack: SensorStack;
let pcap: string;
let lab: AnalyzeReport;

beforeAll(async () => {
  disk = mountSmallDisk('wirewatch-pcap-ring', '2m');
  if (disk.dir === undefined) return;
  stack = await startSensorStack();
  pcap = join(stack.dir, 'ring.pcap');
  writeManyHostsPcap(pcap, CAPTURE);
  lab = await stack.analyze(pcap, INTERVAL);
}, 60_000);

afterAll(async () => {
  await killAll();
  await stack?.dispose();
  disk?.dispose();
});

interface PcapCopy {
  written: number;
  dropped: number;
  writeErrors: number;
  filesDeletedForSpace: number;
  failing: string | null;
}

/** Walks a classic PCAP file's records: how many, the last one's time (epoch ms), and whether it ends on a record boundary. */
function walkPcap(path: string): { frames: number; lastMs: number; whole: boolean } {
  const b = readFileSync(path);
  let at = 24;
  let frames = 0;
  let lastMs = 0;
  while (at + 16 <= b.length) {
    lastMs = b.readUInt32LE(at) * 1000 + b.readUInt32LE(at + 4) / 1000;
    at += 16 + b.readUInt32LE(at + 8);
    frames++;
  }
  return { frames, lastMs, whole: at === b.length };
}

describe('the sensor PCAP ring on a 2 MiB disk', () => {
  it('summaries are stored as analyze reports them; the ring drops and deletes its oldest files (counted) and keeps the newest frames', async (context) => {
    if (disk?.dir === undefined) return context.skip(disk?.skipReason);
    const mountPoint = disk.dir;
    const ring = join(mountPoint, 'ring');
    const started = Date.now();
    // 4x the recorded pace: about 12 s, so the one-second retries after a failure happen many times.
    const sensor = stack.sensor([
      '--id',
      'pcap-ring',
      '--pcap',
      pcap,
      '--speed',
      '4',
      '--interval',
      String(INTERVAL),
      '--write-pcap',
      ring,
      '--rotate-mb',
      '0.25',
      '--keep',
      '20',
    ]);

    // /healthz all along: it answers quickly, and shows the failures and the recovery.
    const seen: PcapCopy[] = [];
    let slowest = 0;
    const base = await sensor.url();
    while (sensor.child.exitCode === null) {
      const t = Date.now();
      try {
        const health = (await (await fetch(`${base}/healthz`)).json()) as { interfaces: Array<{ pcap?: PcapCopy }> };
        slowest = Math.max(slowest, Date.now() - t);
        seen.push(health.interfaces[0].pcap!);
      } catch {
        break; // the replay ended and the sensor closed its server
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await sensor.exited, sensor.stderr()).toBe(0);
    const elapsedSeconds = (Date.now() - started) / 1000;

    // The summaries did not notice.
    expect(
      sensor.logs.find((l) => typeof l.published === 'number' && typeof l.droppedDiskFull === 'number'),
    ).toMatchObject({ msg: 'all summaries published' });
    // The collector may lag on a busy machine (summaries of 400 sources each): a longer wait than storedOnce's.
    let stored = new Map<number, number>();
    await waitFor(async () => (stored = await stack.storedIntervals('pcap-ring')).size === lab.timeline.length, {
      what: `${lab.timeline.length} intervals stored`,
      timeoutMs: 40_000,
    });
    for (const point of lab.timeline) expect(stored.get(startMs(point.start)), String(point.start)).toBe(point.packets);

    // Every frame is either in the ring (written) or counted as dropped.
    const closed = sensor.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('PCAP copy closed'))!;
    const final = closed as unknown as PcapCopy;
    expect(closed).toMatchObject({ level: 'warn', msg: `PCAP copy closed: ${final.dropped} frames not saved` });
    expect(final.written + final.dropped).toBe(lab.packets);
    expect(final.dropped).toBeGreaterThan(0);
    expect(final.writeErrors).toBeGreaterThan(1);
    expect(final.filesDeletedForSpace).toBeGreaterThan(1);

    // /healthz: quick throughout, failing while the disk was full, writing again after.
    expect(slowest).toBeLessThan(1000);
    const firstFailure = seen.findIndex((p) => p.failing === 'no space left on the device');
    expect(firstFailure).toBeGreaterThanOrEqual(0);
    const recovered = seen
      .slice(firstFailure)
      .find((p) => p.failing === null && p.written > seen[firstFailure].written);
    expect(recovered).toBeDefined();

    // One warning per 10 s at most, however many failures.
    const warnings = sensor.logs.filter((l) => l.msg === WARNING);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(Math.ceil(elapsedSeconds / 10) + 1);
    expect(warnings[0]).toMatchObject({ level: 'warn', err: expect.stringMatching(/no space left on the device$/) });

    // The ring: whole files that fit the disk, the newest holding the capture's last frames.
    const files = readdirSync(ring)
      .filter((f) => f.endsWith('.pcap'))
      .sort();
    const walked = files.map((f) => walkPcap(join(ring, f)));
    expect(walked.every((w) => w.whole)).toBe(true);
    expect(files.reduce((sum, f) => sum + statSync(join(ring, f)).size, 0)).toBeLessThanOrEqual(DISK_BYTES);
    expect(walked.reduce((sum, w) => sum + w.frames, 0)).toBeLessThanOrEqual(final.written);
    const captureEndMs = CAPTURE.startMs + CAPTURE.intervals * CAPTURE.intervalMs;
    expect(captureEndMs - walked.at(-1)!.lastMs).toBeLessThan(2000); // recorded time: the last second or two of the capture
    expect(Number(/-(\d+)\.pcap$/.exec(files[0])![1])).toBeGreaterThan(1); // the first files were deleted to make room
  }, 90_000);
});
