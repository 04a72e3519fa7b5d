import { decodePacket, DecodedPacket, IPPROTO_UDP } from '@wirewatch/packet';
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { listDevices } from './devices.js';
import { CaptureError } from './errors.js';
import { LiveCapture } from './live-capture.js';

// Live capture needs root (CAP_NET_RAW). CI must run these: they are skipped only elsewhere.
const canCapture = process.getuid?.() === 0 || Boolean(process.env.CI);

const sender: Socket = createSocket('udp4');
afterAll(() => sender.close());

/** A port nobody listens on; the filter keeps only datagrams to it. */
const randomPort = (): number => 20000 + Math.floor(Math.random() * 40000);

function send(port: number, count: number, payloadBytes = 20): Promise<void> {
  const payload = Buffer.alloc(payloadBytes, 0x5a);
  let left = count;
  return new Promise((resolve, reject) => {
    if (count === 0) resolve();
    for (let i = 0; i < count; i++) {
      sender.send(payload, port, '127.0.0.1', (error) => {
        if (error) reject(error);
        else if (--left === 0) resolve();
      });
    }
  });
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The `promiscuity` counter of an interface (`ip -d link show`). */
function promiscuity(device: string): number {
  return Number(/promiscuity (\d+)/.exec(execFileSync('ip', ['-d', 'link', 'show', device], { encoding: 'utf8' }))?.[1]);
}

describe.skipIf(!canCapture)('LiveCapture on lo', () => {
  it('sees exactly the datagrams its filter selects, with their fields', async () => {
    const port = randomPort();
    const capture = new LiveCapture({ device: 'lo', filter: `udp dst port ${port}` });
    const decoded = new DecodedPacket();
    let seen = 0;
    let wrongPort = 0;
    const before = Date.now() / 1000;
    const running = capture.run((r) => {
      seen++;
      expect([r.linkType, r.caplen, r.origLen, r.offset]).toEqual([1, 14 + 20 + 8 + 20, 62, 0]);
      expect(r.timestamp).toBeGreaterThanOrEqual(before);
      expect(r.timestamp).toBeLessThanOrEqual(Date.now() / 1000);
      decodePacket(decoded, r.data, r.offset, r.caplen, r.linkType);
      if (decoded.ipProto !== IPPROTO_UDP || decoded.dstPort !== port) wrongPort++;
    });
    // Loopback traffic the filter excludes, sent meanwhile: never delivered.
    const other = randomPort() ^ 1;
    // In batches: a burst larger than the ring (about 500 datagrams on lo) would be dropped by the kernel.
    const batches = 10;
    const perBatch = 100;
    for (let b = 1; b <= batches; b++) {
      await send(port, perBatch);
      await send(other === port ? port + 1 : other, 20);
      await until(() => seen >= b * perBatch, `${b * perBatch} datagrams`);
    }
    await new Promise((r) => setTimeout(r, 50)); // anything extra would arrive by now
    capture.stop();
    await running;
    expect(seen).toBe(batches * perBatch);
    expect(wrongPort).toBe(0);
    expect(capture.linkType).toBe(1);
    expect(capture.stats()).toEqual({
      received: 1000,
      kernelDropped: 0,
      interfaceDropped: 0,
      truncated: 0,
      kernelDropsUnavailable: null,
    });
  });

  it('counts what the kernel dropped when the ring overflows', async () => {
    const port = randomPort();
    // 1 MiB holds 16 frames of 64 KiB; a burst of 2,000 datagrams (4,000 frames on lo) overflows it
    // before the event loop gets to read anything.
    const capture = new LiveCapture({ device: 'lo', filter: `udp dst port ${port}`, bufferSizeMb: 1, statsIntervalMs: 50 });
    const running = capture.run(() => {});
    await until(() => capture.stats().kernelDropped !== null, 'the drop counter');
    const sent = 2000;
    await send(port, sent);
    await new Promise((r) => setTimeout(r, 200));
    capture.stop();
    await running;
    const { received, kernelDropped } = capture.stats();
    expect(received).toBeLessThan(sent);
    expect(kernelDropped).toBeGreaterThan(0);
    // On lo each datagram takes two ring slots, and a lost datagram lost at least its incoming one.
    expect(received + kernelDropped!).toBeGreaterThanOrEqual(sent);
    expect(kernelDropped).toBeLessThanOrEqual(2 * sent);
  });

  it('marks frames that reach the snapshot length as truncated', async () => {
    const port = randomPort();
    const capture = new LiveCapture({ device: 'lo', filter: `udp dst port ${port}`, snaplen: 50 });
    const lengths: number[] = [];
    const running = capture.run((r) => lengths.push(r.caplen));
    await send(port, 3, 100);
    await until(() => lengths.length === 3, '3 datagrams');
    capture.stop();
    await running;
    expect(lengths).toEqual([50, 50, 50]);
    expect(capture.stats().truncated).toBe(3);
  });

  it('leaves promiscuous mode when asked, and enters it by default', async () => {
    const base = promiscuity('lo');
    for (const promiscuous of [true, false]) {
      const capture = new LiveCapture({ device: 'lo', filter: 'udp port 9', promiscuous });
      const running = capture.run(() => {});
      await until(() => capture.stats().kernelDropped !== null, 'the socket helper');
      expect(promiscuity('lo')).toBe(promiscuous ? base + 1 : base);
      capture.stop();
      await running;
    }
  });

  it('can be stopped from inside the callback, and rejects with the error the callback throws', async () => {
    const port = randomPort();
    const stopping = new LiveCapture({ device: 'lo', filter: `udp dst port ${port}` });
    let seen = 0;
    const running = stopping.run(() => {
      seen++;
      stopping.stop();
    });
    await send(port, 5);
    await running;
    expect(seen).toBe(1);

    const throwing = new LiveCapture({ device: 'lo', filter: `udp dst port ${port}` });
    const failing = throwing.run(() => {
      throw new Error('bug in the consumer');
    });
    await new Promise((r) => setTimeout(r, 20));
    await send(port, 1);
    await expect(failing).rejects.toThrow('bug in the consumer');
  });

  it('rejects with one line for a missing device and for a filter that does not compile', async () => {
    const cases: [ConstructorParameters<typeof LiveCapture>[0], string][] = [
      [{ device: 'nosuchdev0' }, 'capture on nosuchdev0: no such device'],
      [{ device: 'lo', filter: 'udp port' }, 'capture on lo: bad filter "udp port": can\'t parse filter expression: syntax error'],
      [{ device: 'lo', filter: 'udp port 99999' }, 'capture on lo: bad filter "udp port 99999": illegal port number 99999 > 65535'],
    ];
    for (const [options, message] of cases) {
      const run = new LiveCapture(options).run(() => {});
      await expect(run).rejects.toThrow(CaptureError);
      await expect(run).rejects.toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    }
  });

  it('lists lo as a loopback device', () => {
    expect(listDevices().find((d) => d.name === 'lo')).toMatchObject({ loopback: true, addresses: expect.arrayContaining(['127.0.0.1']) });
  });
});

describe('LiveCapture options', () => {
  it('refuses a kernel buffer cap cannot pass and a snaplen that is not a positive integer', () => {
    expect(() => new LiveCapture({ device: 'lo', bufferSizeMb: 4096 })).toThrow(/^capture on lo: the kernel buffer must be 1 to 2047 MiB, not 4096$/);
    expect(() => new LiveCapture({ device: 'lo', snaplen: 0 })).toThrow(CaptureError);
  });
});
