import { DecodedPacket, NET_IPV4 } from '@wirewatch/packet';
import { describe, expect, it } from 'vitest';
import { FanoutCounter } from './fanout-counter.js';

const A = 0x0a000001; // 10.0.0.1
const B = 0x0a000002;
const C = 0x0a000003;

function packet(d: DecodedPacket, src: number, dst: number, proto: number, fill: (d: DecodedPacket) => void): DecodedPacket {
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
      for (let n = 0; n < 2; n++) f.add(packet(d, A, B, 6, (p) => ((p.hasPorts = true), (p.srcPort = 40000), (p.dstPort = port), (p.tcpFlags = 0x02))));
      // ...and B answers with SYN-ACK or RST to A's one ephemeral port and many others.
      f.add(packet(d, B, A, 6, (p) => ((p.hasPorts = true), (p.srcPort = port), (p.dstPort = 40000 + port), (p.tcpFlags = 0x12))));
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
    for (let port = 1; port <= 100; port++) f.add(packet(d, A, B, 6, (p) => ((p.hasPorts = true), (p.dstPort = port), (p.tcpFlags = 0x02))));
    const [top] = f.top(1);
    expect(top.ports).toBe(64);
    expect(f.pairsDropped).toBe(36);
  });
});
