import { decodePacket, DecodedPacket, IPPROTO_UDP } from '@wirewatch/packet';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** Waits until count() has stopped changing (for `quietMs`, longer than the capture's 100 ms delivery delay). */
async function untilSettled(count: () => number, quietMs = 300): Promise<void> {
  let last = -1;
  while (count() !== last) {
    last = count();
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

/** `node -e SEND_BURST PORT COUNT`: sends COUNT small datagrams to 127.0.0.1:PORT, then exits. */
const SEND_BURST = `
const s = require('node:dgram').createSocket('udp4');
const [port, count] = process.argv.slice(1).map(Number);
let left = count;
for (let i = 0; i < count; i++) s.send(Buffer.alloc(20), port, '127.0.0.1', () => --left === 0 && s.close());
`;

/** The `promiscuity` counter of an interface (`ip -d link show`). */
function promiscuity(device: string): number {
  return Number(
    /promiscuity (\d+)/.exec(execFileSync('ip', ['-d', 'link', 'show', device], { encoding: 'utf8' }))?.[1],
  );
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/**
 * A veth pair made for one test: `device` here, its peer in a network namespace of its own.
 * Deleting the namespace deletes the peer, and with it `device`.
 */
function vethPair(): { device: string; deleteNamespace: () => void; remove: () => void } {
  const tag = `${process.pid % 10000}${Math.floor(Math.random() * 1000)}`;
  const namespace = `wwcap${tag}`;
  const device = `wwcap${tag}a`; // at most 15 characters (IFNAMSIZ)
  ip('netns', 'add', namespace);
  const deleteNamespace = (): void => {
    try {
      ip('netns', 'del', namespace);
    } catch {
      // already gone
    }
  };
  const remove = (): void => {
    deleteNamespace();
    try {
      ip('link', 'del', device);
    } catch {
      // went with the namespace
    }
    if (existsSync(`/run/netns/${namespace}`)) throw new Error(`network namespace ${namespace} could not be deleted`);
  };
  try {
    ip('link', 'add', device, 'type', 'veth', 'peer', 'name', 'peer0', 'netns', namespace);
    ip('link', 'set', device, 'up');
  } catch (error) {
    remove();
    throw error;
  }
  return { device, deleteNamespace, remove };
}

describe.skipIf(!canCapture)('LiveCapture on lo', () => {
  it('sees exactly the datagrams its filter selects, with their fields', async () => {
    const port = randomPort();
    const capture = new LiveCapture({ device: 'lo', filter: `udp dst port ${port}` });
    const decoded = new DecodedPacket();
    let seen = 0;
    let wrongPort = 0;
    const before = Date.now() / 1000;
    const timestamps: number[] = [];
    const running = capture.run((r) => {
      seen++;
      expect([r.linkType, r.caplen, r.origLen]).toEqual([1, 14 + 20 + 8 + 20, 62]);
      // libpcap's capture time: after the test started, before JavaScript got the frame (1 ms for Date.now()'s rounding).
      expect(r.timestamp).toBeGreaterThanOrEqual(before - 0.001);
      expect(r.timestamp).toBeLessThanOrEqual(Date.now() / 1000 + 0.001);
      timestamps.push(r.timestamp);
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
    expect(timestamps.every((t, i) => i === 0 || t >= timestamps[i - 1])).toBe(true);
    // Microsecond capture times, not the millisecond wall clock at delivery.
    expect(timestamps.some((t) => Math.round(t * 1e6) % 1000 !== 0)).toBe(true);
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
    const capture = new LiveCapture({
      device: 'lo',
      filter: `udp dst port ${port}`,
      bufferSizeMb: 1,
      statsIntervalMs: 50,
    });
    let seen = 0;
    const running = capture.run(() => seen++);
    expect(capture.stats().kernelDropped).toBe(0);
    // A child process sends while this one is blocked and reads nothing: 20,000 datagrams (40,000
    // frames on lo, over 100 bytes each in the ring) overflow 1 MiB.
    const sent = 20000;
    execFileSync(process.execPath, ['-e', SEND_BURST, String(port), String(sent)]);
    await untilSettled(() => seen);
    capture.stop();
    await running;
    const { received, kernelDropped } = capture.stats();
    expect(received).toBeLessThan(sent);
    expect(kernelDropped).toBeGreaterThan(0);
    // On lo each datagram takes two ring slots, and a lost datagram lost at least its incoming one.
    expect(received + kernelDropped!).toBeGreaterThanOrEqual(sent);
    expect(kernelDropped).toBeLessThanOrEqual(2 * sent);
  });

  it('cuts frames to the snapshot length, keeps their length on the wire, and counts them as truncated', async () => {
    const port = randomPort();
    const capture = new LiveCapture({ device: 'lo', filter: `udp dst port ${port}`, snaplen: 50 });
    const lengths: [number, number][] = [];
    const running = capture.run((r) => lengths.push([r.caplen, r.origLen]));
    await send(port, 3, 100);
    await send(port, 1, 4);
    await until(() => lengths.length === 4, '4 datagrams');
    capture.stop();
    await running;
    expect(lengths).toEqual([
      [50, 142],
      [50, 142],
      [50, 142],
      [46, 46],
    ]);
    expect(capture.stats().truncated).toBe(3);
  });

  it('leaves promiscuous mode when asked, and enters it by default', async () => {
    const base = promiscuity('lo');
    for (const promiscuous of [true, false]) {
      const capture = new LiveCapture({ device: 'lo', filter: 'udp port 9', promiscuous });
      const running = capture.run(() => {});
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
      [
        { device: 'lo', filter: 'udp port' },
        'capture on lo: bad filter "udp port": can\'t parse filter expression: syntax error',
      ],
      [
        { device: 'lo', filter: 'udp port 99999' },
        'capture on lo: bad filter "udp port 99999": illegal port number 99999 > 65535',
      ],
    ];
    for (const [options, message] of cases) {
      const run = new LiveCapture(options).run(() => {});
      await expect(run).rejects.toThrow(CaptureError);
      await expect(run).rejects.toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    }
  });

  it('lists lo as a loopback device', () => {
    expect(listDevices().find((d) => d.name === 'lo')).toMatchObject({
      loopback: true,
      addresses: expect.arrayContaining(['127.0.0.1']),
    });
  });
});

describe.skipIf(!canCapture)('LiveCapture when its interface goes away', () => {
  it('rejects with one line when the interface disappears, and keeps its counters', async () => {
    const veth = vethPair();
    try {
      const capture = new LiveCapture({ device: veth.device });
      const running = capture.run(() => {});
      veth.deleteNamespace();
      await expect(running).rejects.toThrow(new RegExp(`^capture on ${veth.device}: the interface disappeared$`));
      await expect(running).rejects.toThrow(CaptureError);
      expect(capture.stats()).toMatchObject({ kernelDropped: 0, kernelDropsUnavailable: null });
    } finally {
      veth.remove();
    }
  });

  it('rejects with one line when the interface is set down', async () => {
    const veth = vethPair();
    try {
      const capture = new LiveCapture({ device: veth.device });
      const running = capture.run(() => {});
      ip('link', 'set', veth.device, 'down');
      await expect(running).rejects.toThrow(new RegExp(`^capture on ${veth.device}: the interface went down$`));
    } finally {
      veth.remove();
    }
  });
});

describe('LiveCapture options', () => {
  it('refuses a kernel buffer cap cannot pass and a snaplen that is not a positive integer', () => {
    expect(() => new LiveCapture({ device: 'lo', bufferSizeMb: 4096 })).toThrow(
      /^capture on lo: the kernel buffer must be 1 to 2047 MiB, not 4096$/,
    );
    expect(() => new LiveCapture({ device: 'lo', snaplen: 0 })).toThrow(CaptureError);
  });
});
