import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort, waitFor } from '../harness/index.js';
import { storedInInflux } from './readback.js';
import { DATABASE, startStack, type Stack } from './stack.js';
import { killAll, startService, type ServiceProcess } from './service-process.js';

const canCapture = process.getuid?.() === 0 || process.env.CI !== undefined;

let stack: Stack;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  if (canCapture) stack = await startStack();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(services.map((s) => s.stop()));
  await killAll();
  await stack?.dispose();
});

describe.skipIf(!canCapture)('live capture on lo → NATS → collector → InfluxDB', () => {
  it('stores exactly the packets and bytes a test sends to its port', async () => {
    const collector = stack.collectorV1('live');
    services.push(collector);
    const port = await freePort();
    const sensor = startService(stack.bundle, [
      'sensor',
      '--nats',
      stack.nats.url,
      '--http-port',
      '0',
      '--http-host',
      '127.0.0.1',
      '--id',
      'live-lo',
      '--interface',
      'lo',
      '--filter',
      `udp and dst port ${port}`,
      '--interval',
      '0.5',
      '--spool-dir',
      join(stack.dir, 'spool-live'),
    ]);
    services.push(sensor);
    const url = await sensor.url();
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
      what: 'sensor ready (capturing, connected)',
      timeoutMs: 20_000,
    });

    // 500 datagrams of 1..500 bytes: Ethernet (14) + IPv4 (20) + UDP (8) + payload on the wire of lo.
    const socket = createSocket('udp4');
    let expectedBytes = 0;
    const count = 500;
    for (let i = 1; i <= count; i++) {
      await new Promise<void>((resolve, reject) =>
        socket.send(Buffer.alloc(i, i & 0xff), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
      expectedBytes += 42 + i;
    }
    socket.close();
    await waitFor(async () => (await sensor.metric('wirewatch_sensor_packets_total')) === count, {
      what: `${count} packets captured`,
      timeoutMs: 20_000,
    });
    // Intervals keep coming every 0.5 s with or without traffic.
    await waitFor(async () => (await sensor.metric('wirewatch_sensor_summaries_total')) >= 4, {
      what: 'four intervals emitted',
    });
    expect(await sensor.stop()).toBe(0);

    await waitFor(async () => (await storedInInflux(stack.influx, DATABASE, 'live-lo')).packets === count, {
      what: `${count} packets stored`,
      timeoutMs: 20_000,
    });
    const stored = await storedInInflux(stack.influx, DATABASE, 'live-lo');
    expect(stored.bytes).toBe(expectedBytes);
    expect(stored.classes.udp).toEqual({ packets: count, bytes: expectedBytes });
    expect([...stored.sources.keys()]).toEqual(['127.0.0.1']);
    await waitFor(async () => (await storedInInflux(stack.influx, DATABASE, 'live-lo')).intervals >= 4, {
      what: 'the empty intervals stored too',
    });
  }, 90_000);

  it('captures as an unprivileged user holding only CAP_NET_RAW and CAP_NET_ADMIN (as the README shows)', async () => {
    const port = await freePort();
    // Its own directory: the stack's temp dir is private to root.
    const spool = mkdtempSync(join(tmpdir(), 'wirewatch-nobody-'));
    chmodSync(spool, 0o777);
    // The checkout may sit in a private directory (mktemp -d is 0700): let others traverse (only) its
    // ancestors for this test, as a deployment's install directory would, and put the modes back after.
    const restore = allowTraversal(dirname(stack.bundle));
    onTestFinished(restore);
    const sensor = startService(
      '/usr/bin/setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        '--inh-caps=-all,+net_raw,+net_admin',
        '--ambient-caps=+net_raw,+net_admin',
        '--bounding-set=-all,+net_raw,+net_admin',
        process.execPath,
        stack.bundle,
        'sensor',
        '--nats',
        stack.nats.url,
        '--http-port',
        '0',
        '--http-host',
        '127.0.0.1',
        '--id',
        'unprivileged',
        '--interface',
        'lo',
        '--filter',
        `udp and dst port ${port}`,
        '--spool-dir',
        spool,
      ],
      {},
      { direct: true },
    );
    services.push(sensor);
    const url = await sensor.url();
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
      what: 'unprivileged sensor ready',
      timeoutMs: 20_000,
    });
    const pid = sensor.child.pid!;
    const status = execFileSync('ps', ['-o', 'user=', '--ppid', String(pid), '-p', String(pid)], { encoding: 'utf8' });
    expect(
      status
        .trim()
        .split(/\s+/)
        .every((u) => u === 'nobody'),
    ).toBe(true);
    const socket = createSocket('udp4');
    for (let i = 0; i < 20; i++)
      await new Promise<void>((resolve, reject) =>
        socket.send(Buffer.alloc(10), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
    socket.close();
    await waitFor(async () => (await sensor.metric('wirewatch_sensor_packets_total')) === 20, {
      what: '20 packets captured by the unprivileged sensor',
    });
    expect(await sensor.stop()).toBe(0);
    rmSync(spool, { recursive: true, force: true });
  }, 60_000);
});

/** Adds o+x to every ancestor of `dir` that lacks it; returns what puts the old modes back. */
function allowTraversal(dir: string): () => void {
  const changed: Array<[string, number]> = [];
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    const mode = statSync(d).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(d, mode | 0o001);
      changed.push([d, mode]);
    }
  }
  return () => {
    for (const [d, mode] of changed) chmodSync(d, mode);
  };
}
