import { DecodedPacket, NET_IPV4 } from '@wirewatch/packet';
import { describe, expect, it } from 'vitest';
import { FanoutCounter } from './fanout-counter.js';
import { rng } from './testing/random.js';

const A = 0x0a000001; // 10.0.0.1
const B = 0x0a000002;
const C = 0x0a000003;

function packet(
  d: DecodedPacket,
  src: number,
  dst: number,
  proto: number,
  fill: (d: DecodedPacket) => void,
): DecodedPacket {
  d.reset(1);
  d.network = NET_IPV4;
  d.hasSource = d.hasDestination = true;
  d.src0 = src;
  d.dst0 = dst;
  d.ipProto = proto;
  fill(d);
  return d;
}

describe('FanoutCounter', () => {
  it('finds a port scan and a ping sweep, and not the server answering them', () => {
    const f = new FanoutCounter();
    const d = new DecodedPacket();
    for (let port = 1; port <= 100; port++) {
      // A scans B: SYN to each port (twice: retransmissions do not count again)...
      for (let n = 0; n < 2; n++)
        f.add(
          packet(
            d,
            A,
            B,
            6,
            (p) => ((p.hasPorts = true), (p.srcPort = 40000), (p.dstPort = port), (p.tcpFlags = 0x02)),
          ),
        );
      // ...and B answers with SYN-ACK or RST to A's one ephemeral port and many others.
      f.add(
        packet(
          d,
          B,
          A,
          6,
          (p) => ((p.hasPorts = true), (p.srcPort = port), (p.dstPort = 40000 + port), (p.tcpFlags = 0x12)),
        ),
      );
    }
    for (let host = 1; host <= 50; host++) {
      f.add(packet(d, C, 0x0a010000 + host, 1, (p) => (p.icmpType = 8)));
      f.add(packet(d, 0x0a010000 + host, C, 1, (p) => (p.icmpType = 0)));
    }
    expect(f.top(3)).toEqual([
      { ip: '10.0.0.1', ports: 100, destinations: 1 },
      { ip: '10.0.0.3', ports: 0, destinations: 50 },
    ]);
    expect(f.pairsDropped).toBe(0);
    f.reset();
    expect(f.top(3)).toEqual([]);
  });

  it('stays bounded: pairs beyond the table are counted as dropped, and the fan-out is a lower bound', () => {
    const f = new FanoutCounter(64);
    const d = new DecodedPacket();
    for (let port = 1; port <= 100; port++)
      f.add(packet(d, A, B, 6, (p) => ((p.hasPorts = true), (p.dstPort = port), (p.tcpFlags = 0x02))));
    const [top] = f.top(1);
    expect(top.ports).toBe(64);
    expect(f.pairsDropped).toBe(36);
  });

  it('ranks as a full sort of every source by ports, then destinations, then address text', () => {
    const f = new FanoutCounter();
    const d = new DecodedPacket();
    const random = rng(12);
    // Few distinct fan-outs over many sources: ties everywhere, including at the cut.
    const attempts: Array<[number, number, number]> = [];
    for (let i = 0; i < 5000; i++) {
      const src = 0x0a000000 + Math.floor(random() * 400);
      const dst = 0xc0a80000 + Math.floor(random() * 3);
      const port = 1 + Math.floor(random() * 4);
      attempts.push([src, dst, port]);
      f.add(packet(d, src, dst, 6, (p) => ((p.hasPorts = true), (p.dstPort = port), (p.tcpFlags = 0x02))));
    }
    const ports = new Map<string, Set<number>>();
    const hosts = new Map<string, Set<number>>();
    const ip = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    for (const [src, dst, port] of attempts) {
      ports.set(ip(src), (ports.get(ip(src)) ?? new Set()).add(port));
      hosts.set(ip(src), (hosts.get(ip(src)) ?? new Set()).add(dst));
    }
    const all = [...ports.keys()]
      .map((key) => ({ ip: key, ports: ports.get(key)!.size, destinations: hosts.get(key)!.size }))
      .sort((a, b) => b.ports - a.ports || b.destinations - a.destinations || (a.ip < b.ip ? -1 : 1));
    for (const n of [1, 10, 100, all.length]) expect(f.top(n)).toEqual(all.slice(0, n));
  });
});
