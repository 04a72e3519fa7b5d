import { createSocket } from 'node:dgram';
import { LiveCapture, type CaptureRecord } from '@wirewatch/capture';
import { DecodedPacket, decodeRecord } from '@wirewatch/packet';
import { SketchSummarizer } from '@wirewatch/traffic';
import { afterEach, describe, expect, it } from 'vitest';
import { TrafficGenerator } from './generator.js';

// Live capture on lo needs root (CAP_NET_RAW); CI runs as root. Each test sends to an address of its
// own in 127/8 (all of it is lo on Linux), so that parallel tests, and a lab, stay out of its capture.
const canCapture = process.getuid?.() === 0 || Boolean(process.env.CI);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a sensor would make of the frames to or from `host` on lo: its decoder and summarizer. */
function sensorOn(host: string, extraFilter = '') {
  const summarizer = new SketchSummarizer();
  const decoded = new DecodedPacket();
  let frames = 0;
  const capture = new LiveCapture({ device: 'lo', filter: `host ${host}${extraFilter}` });
  const running = capture.run((record: CaptureRecord) => {
    decodeRecord(decoded, record);
    summarizer.add(decoded);
    frames++;
  });
  cleanups.push(async () => {
    capture.stop();
    await running;
  });
  return { summarizer, frames: () => frames };
}

function generator(
  target: string,
  options: Partial<ConstructorParameters<typeof TrafficGenerator>[0]> = {},
): TrafficGenerator {
  const g = new TrafficGenerator({ target, scanEverySeconds: 0, ...options });
  cleanups.push(() => g.stop());
  return g;
}

describe.skipIf(!canCapture)('traffic generator, as a sensor on lo sees it', () => {
  it('a scan burst is N connection attempts to N distinct ports from one source: the fan-out the port-scan rule reads', async () => {
    const sensor = sensorOn('127.0.0.77', ' and tcp');
    const g = generator('127.0.0.77', { rate: 0.01, scanPorts: 150 });
    await g.start();
    const result = await g.scan();
    expect(result).toMatchObject({ ports: 150, refused: 150, open: 0, timedOut: 0 });
    // Each attempt is a SYN and a RST back: nothing else goes to this address at this rate.
    await until(() => sensor.frames() >= 300, '300 frames captured');
    expect(sensor.summarizer.fanout.top(2)).toEqual([{ ip: '127.0.0.1', ports: 150, destinations: 1 }]);
    expect(sensor.summarizer.view(5).tcp_flags).toMatchObject({ syn: 150, rst: 150, syn_ack: 0 });
  });

  it('sends UDP of varied sizes, short TCP exchanges and DNS queries answered NOERROR or NXDOMAIN in the share asked', async () => {
    const sensor = sensorOn('127.0.0.78');
    const g = generator('127.0.0.78', { rate: 1_500, nxdomainShare: 0.4 });
    const info = await g.start();
    expect(info).toMatchObject({ dns: 'answered', dnsPort: 53, dnsNote: null });
    await until(() => g.stats().dns.queries >= 150, '150 DNS queries');
    await g.stop();
    // stop() cuts what is in flight: a query sent just before may go unanswered, or not out at all.
    // What the generator's client received was on the wire, so the capture must have all of it.
    const stats = g.stats();
    const answered = stats.dns.noerror + stats.dns.nxdomain;
    await until(() => sensor.summarizer.view(5).dns.responses >= answered, 'every DNS answer captured');

    const seen = sensor.summarizer.view(20);
    // The server may still answer a query after the client stopped listening: such an answer is on the
    // wire but not in the client's count, so the capture holds every counted answer and at most those few more.
    const late = seen.dns.responses - answered;
    expect(late).toBeGreaterThanOrEqual(0);
    expect(seen.dns.responses).toBeLessThanOrEqual(seen.dns.queries);
    expect(seen.dns.nxdomain).toBeGreaterThanOrEqual(stats.dns.nxdomain);
    expect(seen.dns.nxdomain).toBeLessThanOrEqual(stats.dns.nxdomain + late);
    expect(seen.dns.queries).toBeGreaterThanOrEqual(answered);
    expect(seen.dns.queries).toBeLessThanOrEqual(stats.dns.queries);
    expect(answered).toBeGreaterThan(stats.dns.queries * 0.8);
    expect(seen.dns.nxdomain / seen.dns.responses).toBeGreaterThan(0.25);
    expect(seen.dns.nxdomain / seen.dns.responses).toBeLessThan(0.55);
    expect(seen.dns.qtypes).toMatchObject({ A: expect.any(Number), AAAA: expect.any(Number) });
    // TCP: one SYN per connection, each answered; stop() cuts those in flight (at most 32 open at once).
    await until(
      () => sensor.summarizer.view(5).tcp_flags.syn_ack >= stats.tcp.completed,
      'the SYN-ACK of every completed exchange',
    );
    const tcp = sensor.summarizer.view(5).tcp_flags;
    expect(tcp.syn).toBeLessThanOrEqual(stats.tcp.connections);
    expect(tcp.syn).toBeGreaterThanOrEqual(stats.tcp.connections - 32);
    expect(tcp.syn_ack).toBeLessThanOrEqual(tcp.syn);
    expect(stats.tcp.completed).toBeGreaterThanOrEqual(stats.tcp.connections - 32);
    expect(stats.tcp.completed).toBeGreaterThan(0);
    expect(seen.top.ports.map((p) => `${p.transport}/${p.port}`)).toContain('udp/53');
    // Datagram sizes spread over small, medium and near-MTU frames.
    const sizes = Object.fromEntries(seen.packet_sizes.map((b) => [String(b.le), b.packets]));
    expect(sizes['127']).toBeGreaterThan(0);
    expect(sizes['511']).toBeGreaterThan(0);
    expect(sizes['1518']).toBeGreaterThan(0);
    // The datagrams reached the wire as UDP (all but those cut by stop()).
    const datagrams = seen.protocols.udp.packets - seen.dns.queries - seen.dns.responses;
    expect(datagrams).toBeLessThanOrEqual(stats.udp.datagrams);
    expect(datagrams).toBeGreaterThan(stats.udp.datagrams * 0.9);
  });
});

describe('traffic generator, bounds and failures', () => {
  it('says DNS is off, and sends none, when another server holds the DNS port', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(0, '127.0.0.79', resolve));
    cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    let received = 0;
    squatter.on('message', () => received++);
    const g = generator('127.0.0.79', { rate: 500, dnsPort: squatter.address().port });
    const info = await g.start();
    expect(info.dns).toBe('off');
    expect(info.dnsNote).toMatch(/^DNS queries off: another server answers on 127\.0\.0\.79:\d+/);
    await until(() => g.stats().udp.datagrams >= 50, '50 datagrams');
    expect(g.stats().dns.queries).toBe(0);
    expect(received).toBe(0);
  });

  it('refuses a target that is not an address of this machine, and bad options, in one line', async () => {
    await expect(generator('192.0.2.1').start()).rejects.toThrow(
      /^--target 192\.0\.2\.1: not an address of this machine/,
    );
    expect(() => new TrafficGenerator({ target: '127.0.0.1', rate: -1 })).toThrow(
      /--rate: expected packets per second/,
    );
  });

  it('leaves no socket, server or timer behind once stopped, mid-scan included', async () => {
    const handles = () => {
      const count: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) count[r] = (count[r] ?? 0) + 1;
      return count;
    };
    const before = handles();
    const g = new TrafficGenerator({ target: '127.0.0.80', rate: 2_000, dnsPort: 0, scanEverySeconds: 0.05 });
    const scanning = new TrafficGenerator({ target: '127.0.0.80', rate: 1, dnsPort: 0, scanPorts: 2_000 });
    await Promise.all([g.start(), scanning.start()]);
    await until(() => g.stats().tcp.connections >= 20, '20 TCP connections');
    const burst = scanning.scan();
    expect(handles().TCPSocketWrap ?? 0).toBeGreaterThanOrEqual((before.TCPSocketWrap ?? 0) + 64); // a burst's attempts in flight
    await Promise.all([g.stop(), scanning.stop()]);
    expect((await burst).ports).toBeLessThan(2_000); // cut short by the stop
    // libuv releases a closed handle a little after its close callback: wait for the count to come
    // back (a leak never would), then check every kind.
    const kinds = ['TCPSocketWrap', 'TCPServerWrap', 'UDPWrap', 'Timeout'];
    const released = () => kinds.every((kind) => (handles()[kind] ?? 0) <= (before[kind] ?? 0));
    await until(released, 'sockets, servers and timers released', 3_000).catch(() => undefined);
    const after = handles();
    for (const kind of kinds) expect(after[kind] ?? 0, kind).toBeLessThanOrEqual(before[kind] ?? 0);
  });
});
