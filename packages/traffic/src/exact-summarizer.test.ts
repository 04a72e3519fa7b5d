import { DecodedPacket, decodePacket } from '@wirewatch/packet';
import { describe, expect, it } from 'vitest';
import { ExactSummarizer } from './exact-summarizer.js';
import { Timeline } from './timeline.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ip = (a: number) => `c00002${a.toString(16).padStart(2, '0')}`; // 192.0.2.a
const ETH = '020000000001 020000000002';
function tcp(src: number, dst: number, sport: number, dport: number, flags: number): Buffer {
  const p = (n: number) => n.toString(16).padStart(4, '0');
  return hex(
    `${ETH} 0800 45000028 00000000 4006 0000 ${ip(src)} ${ip(dst)} ${p(sport)} ${p(dport)} 00000000 00000000 50${flags.toString(16).padStart(2, '0')} ffff 0000 0000`,
  );
}
function dns(src: number, dst: number, response: boolean, rcode: number, name: string): Buffer {
  const labels =
    name
      .split('.')
      .map((l) => l.length.toString(16).padStart(2, '0') + Buffer.from(l).toString('hex'))
      .join('') + '00';
  const body = hex(
    `1234 ${response ? '81' : '01'}${(0x80 | rcode).toString(16)} 0001 0000 0000 0000 ${labels} 0001 0001`,
  );
  const udpLength = (8 + body.length).toString(16).padStart(4, '0');
  const total = (28 + body.length).toString(16).padStart(4, '0');
  const ports = response ? '0035 c000' : 'c000 0035';
  return Buffer.concat([
    hex(`${ETH} 0800 4500${total} 00000000 4011 0000 ${ip(src)} ${ip(dst)} ${ports} ${udpLength} 0000`),
    body,
  ]);
}

function summarize(frames: Buffer[]): ExactSummarizer {
  const s = new ExactSummarizer();
  const d = new DecodedPacket();
  frames.forEach((f, i) => {
    decodePacket(d, f, 0, f.length, 1);
    d.timestamp = 100 + i;
    d.wireLength = d.capturedLength = f.length;
    s.add(d);
  });
  return s;
}

describe('ExactSummarizer', () => {
  it('derives hosts, conversations (both directions) and service ports from the flows', () => {
    const s = summarize([
      tcp(1, 9, 40000, 443, 0x02),
      tcp(9, 1, 443, 40000, 0x12),
      tcp(1, 9, 40000, 443, 0x10),
      tcp(2, 9, 40001, 80, 0x02),
    ]);
    const sum = s.view(10);
    expect(sum.top.sources.map((h) => [h.ip, h.packets])).toEqual([
      ['192.0.2.1', 2],
      ['192.0.2.2', 1],
      ['192.0.2.9', 1],
    ]);
    expect(sum.top.destinations[0]).toEqual({ ip: '192.0.2.9', packets: 3, bytes: 162 });
    expect(sum.top.conversations[0]).toEqual({ a: '192.0.2.1', b: '192.0.2.9', packets: 3, bytes: 162 });
    expect(sum.top.ports).toEqual([
      { transport: 'tcp', port: 443, packets: 3, bytes: 162 },
      { transport: 'tcp', port: 80, packets: 1, bytes: 54 },
    ]);
    expect(sum.tcp_flags).toMatchObject({ syn: 2, syn_ack: 1, ack: 2, fin: 0 });
    expect(sum.cardinalities).toEqual({ sources: 3, destinations: 2, conversations: 2, flows: 3, exact: true });
    const flow = s.flows.flows(1)[0];
    expect(flow).toMatchObject({
      src: '192.0.2.1',
      dst: '192.0.2.9',
      sport: 40000,
      dport: 443,
      proto: 6,
      packets: 2,
      first_seen: 100,
      last_seen: 102,
    });
  });

  it('counts DNS queries, responses, NXDOMAIN and query names', () => {
    const sum = summarize([
      dns(1, 53, false, 0, 'Example.COM'),
      dns(53, 1, true, 0, 'example.com'),
      dns(2, 53, false, 0, 'nope.invalid'),
      dns(53, 2, true, 3, 'nope.invalid'),
      dns(3, 53, false, 0, 'example.com'),
    ]).view(10);
    expect(sum.dns).toMatchObject({
      queries: 3,
      responses: 2,
      nxdomain: 1,
      rcodes: { NOERROR: 1, NXDOMAIN: 1 },
      qtypes: { A: 3 },
    });
    expect(sum.top.dns_names).toEqual([
      { name: 'example.com', queries: 2 },
      { name: 'nope.invalid', queries: 1 },
    ]);
  });

  it('counts decode errors by reason and keeps the frame in the totals', () => {
    const cut = tcp(1, 2, 1, 2, 0x02).subarray(0, 14 + 20 + 10);
    const sum = summarize([cut]).view(10);
    expect(sum.packets).toBe(1);
    expect(sum.protocols.tcp.packets).toBe(1);
    expect(sum.decode_errors).toEqual({ total: 1, by_reason: { 'tcp.truncated': 1 } });
  });
});

describe('Timeline', () => {
  it('buckets by interval, in time order, whatever order the packets came in', () => {
    const t = new Timeline(10);
    const at = (timestamp: number, wireLength: number) => Object.assign(new DecodedPacket(), { timestamp, wireLength });
    t.add(at(125, 100), 0);
    t.add(at(101, 50), 1);
    t.add(at(129.9, 10), 0);
    t.add(at(95, 1), 0);
    expect(
      t.points().map((p) => [p.start, p.packets, p.bytes, p.protocols.tcp.packets, p.protocols.udp.packets]),
    ).toEqual([
      [90, 1, 1, 1, 0],
      [100, 1, 50, 0, 1],
      [120, 2, 110, 2, 0],
    ]);
  });
});
