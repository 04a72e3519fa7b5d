import { CaptureFormatError } from '@wirewatch/packet';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError } from './errors.js';
import { FileReplay } from './file-replay.js';
import { writeUdpCapture } from './testing/udp-frames.js';

const dir = mkdtempSync(join(tmpdir(), 'wirewatch-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000;
/** A capture whose records are `offsets` seconds after T0. */
function capture(name: string, offsets: number[]): string {
  const path = join(dir, name);
  writeUdpCapture(
    path,
    offsets.map((o) => T0 + o),
    5353,
  );
  return path;
}

/** Runs a replay, noting each record's delivery time (ms since start) and recorded timestamp. */
async function replay(source: FileReplay): Promise<{ elapsed: number; at: number[]; recorded: number[] }> {
  const at: number[] = [];
  const recorded: number[] = [];
  const start = performance.now();
  await source.run((r) => {
    at.push(performance.now() - start);
    recorded.push(r.timestamp);
  });
  return { elapsed: performance.now() - start, at, recorded };
}

describe('FileReplay at max speed', () => {
  it('delivers every record with its recorded fields and lets timers run meanwhile', async () => {
    const n = 20_000;
    const path = capture(
      'max.pcap',
      Array.from({ length: n }, (_, i) => i * 0.001),
    );
    const source = new FileReplay({ path, speed: 'max' });
    let delivered = 0;
    let deliveredWhenTimerFired = -1;
    let deliveredWhenImmediateRan = -1;
    setTimeout(() => (deliveredWhenTimerFired = delivered), 1);
    setImmediate(() => (deliveredWhenImmediateRan = delivered));
    const ids: number[] = [];
    await source.run((r) => {
      if (delivered < 500) {
        const until = performance.now() + 0.02; // busy work, so that the replay lasts well over a slice
        while (performance.now() < until);
      }
      ids.push(r.data.readUInt32BE(r.offset + 42));
      expect(r.timestamp).toBeCloseTo(T0 + delivered * 0.001, 5);
      expect([r.caplen, r.origLen, r.linkType]).toEqual([60, 60, 1]);
      delivered++;
    });
    expect(delivered).toBe(n);
    expect(ids.every((id, i) => id === i)).toBe(true);
    expect(source.stats()).toEqual({ received: n, kernelDropped: 0, interfaceDropped: 0 });
    expect(deliveredWhenImmediateRan).toBeGreaterThanOrEqual(0);
    expect(deliveredWhenImmediateRan).toBeLessThan(n);
    expect(deliveredWhenTimerFired).toBeGreaterThanOrEqual(0);
    expect(deliveredWhenTimerFired).toBeLessThan(n);
  });

  it('stops early on stop()', async () => {
    const path = capture(
      'stop-max.pcap',
      Array.from({ length: 10_000 }, (_, i) => i),
    );
    const source = new FileReplay({ path });
    let n = 0;
    await source.run(() => {
      if (++n === 100) source.stop();
    });
    expect(n).toBe(100);
  });
});

describe('FileReplay paced', () => {
  it('realtime: each record arrives at its recorded offset from the start, never early', async () => {
    const offsets = [0, 0.1, 0.25, 0.25, 0.4, 0.6];
    const { elapsed, at, recorded } = await replay(
      new FileReplay({ path: capture('gaps.pcap', offsets), speed: 'realtime' }),
    );
    expect(recorded.map((t) => t - T0).map((t) => Math.round(t * 1000))).toEqual(offsets.map((o) => o * 1000));
    at.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(offsets[i] * 1000 - 1);
      expect(ms).toBeLessThan(offsets[i] * 1000 + 60);
    });
    expect(elapsed).toBeGreaterThanOrEqual(599);
    expect(elapsed).toBeLessThan(700);
  });

  it('a multiplier scales the pace', async () => {
    const { elapsed } = await replay(new FileReplay({ path: capture('fast.pcap', [0, 0.4, 0.8]), speed: 4 }));
    expect(elapsed).toBeGreaterThanOrEqual(199);
    expect(elapsed).toBeLessThan(290);
  });

  it('lateness does not add up over many short gaps', async () => {
    // 300 gaps of 4 ms: a timer late by ~1 ms per gap would end 300 ms late if each slept from the previous record.
    const offsets = Array.from({ length: 301 }, (_, i) => i * 0.004);
    const { elapsed } = await replay(new FileReplay({ path: capture('many.pcap', offsets), speed: 'realtime' }));
    expect(elapsed).toBeGreaterThanOrEqual(1199);
    expect(elapsed).toBeLessThan(1300);
  });

  it('stop() ends a replay that is waiting for the next record', async () => {
    const source = new FileReplay({ path: capture('long-gap.pcap', [0, 30]), speed: 'realtime' });
    const start = performance.now();
    await source.run(() => setTimeout(() => source.stop(), 20));
    expect(source.stats().received).toBe(1);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('FileReplay errors', () => {
  it('rejects a missing file and a file that is not a capture with one line', async () => {
    const missing = new FileReplay({ path: join(dir, 'nope.pcap') }).run(() => {});
    await expect(missing).rejects.toThrow(CaptureFormatError);
    await expect(missing).rejects.toThrow(/^cannot open .*nope\.pcap: no such file$/);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello world\n');
    await expect(new FileReplay({ path: text }).run(() => {})).rejects.toThrow(
      /^notes\.txt is not a PCAP or PCAPNG file/,
    );
  });

  it('delivers every complete record of a file cut short, then exposes the warning', async () => {
    const whole = readFileSync(capture('whole.pcap', [0, 1, 2]));
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const source = new FileReplay({ path: cut });
    let n = 0;
    await source.run(() => n++);
    expect(n).toBe(2);
    expect(source.truncated).toBe(true);
    expect(source.warnings).toHaveLength(1);
    expect(source.warnings[0]).toMatch(/^cut\.pcap: file ends inside/);
  });

  it('refuses a speed that is not max, realtime or a positive number', () => {
    expect(() => new FileReplay({ path: 'x', speed: 0 })).toThrow(CaptureError);
    expect(() => new FileReplay({ path: 'x', speed: Number.NaN })).toThrow(/positive multiplier/);
  });
});
