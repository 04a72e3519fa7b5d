import { DecodedPacket, NET_IPV4, NET_IPV6 } from '@wirewatch/packet';
import { describe, expect, it } from 'vitest';
import { ExactSummarizer } from './exact-summarizer.js';
import { FLOW_KEY_WORDS, FLOW_KEY_WORDS_V4, forEachRanked, keyHex, writeFlowKey } from './key-layout.js';
import { SketchSummarizer } from './sketch-summarizer.js';
import type { TopLists } from './summary.js';

/** An IPv4 frame from 10.0.0.<src> to 10.0.0.<dst> (`dst` null: the header was cut after the source). */
function frame(
  src: number,
  dst: number | null,
  f: { proto?: number; ports?: [number, number]; laterFragment?: boolean } = {},
): DecodedPacket {
  const d = new DecodedPacket();
  d.reset(1);
  d.network = NET_IPV4;
  d.ipProto = f.proto ?? 17;
  d.hasSource = true;
  d.src0 = 0x0a000000 + src;
  d.hasDestination = dst !== null;
  d.dst0 = dst === null ? 0xdeadbeef : 0x0a000000 + dst; // stale words must not leak into the key
  d.hasPorts = f.ports !== undefined;
  [d.srcPort, d.dstPort] = f.ports ?? [0, 0];
  d.laterFragment = f.laterFragment ?? false;
  d.wireLength = d.capturedLength = 60;
  return d;
}

const key = (d: DecodedPacket) => {
  const k = new Uint32Array(FLOW_KEY_WORDS);
  return keyHex(k.subarray(0, writeFlowKey(d, k)));
};

describe('flow keys (one definition for the exact table and the sketch)', () => {
  // Frames whose flows the former sensor key merged with another or left out.
  const edgeCases = [
    frame(1, 2, { ports: [0, 0] }), // a UDP datagram with ports 0 ...
    frame(1, 2, { laterFragment: true }), // ... and a later fragment between the same hosts: two flows
    frame(1, null, { ports: [5, 6] }), // cut after the source address: a flow without destination
    frame(1, null, { ports: [5, 6] }),
    frame(3, 4, { proto: -1 }), // protocol unknown (header cut before it) ...
    frame(3, 4, { proto: 255 }), // ... is no real protocol's number
  ];

  it('tells ports 0 from no ports, keeps flows without destination, and unknown protocols apart', () => {
    expect(new Set(edgeCases.map(key)).size).toBe(5);
    expect(key(frame(1, null))).toBe(key(Object.assign(frame(1, null), { dst0: 7 })));
  });

  it('takes 4 words for IPv4 and 10 for IPv6', () => {
    const k = new Uint32Array(FLOW_KEY_WORDS);
    expect(writeFlowKey(frame(1, 2), k)).toBe(FLOW_KEY_WORDS_V4);
    expect(writeFlowKey(Object.assign(frame(1, 2), { network: NET_IPV6 }), k)).toBe(FLOW_KEY_WORDS);
  });

  it('the exact table and the sketch count the same flows', () => {
    const exact = new ExactSummarizer();
    const sketch = new SketchSummarizer({ capacity: 16, precision: 16 });
    for (const d of edgeCases) {
      exact.add(d);
      sketch.add(d);
    }
    expect(exact.view(0).cardinalities.flows).toBe(5);
    expect(sketch.view(0).cardinalities.flows).toBe(5);
  });
});

describe('forEachRanked', () => {
  it('labels every list the one way, ranks from 1, DNS queries as packets', () => {
    const top: TopLists = {
      sources: [{ ip: '10.0.0.1', packets: 3, bytes: 300 }],
      destinations: [],
      conversations: [{ a: '10.0.0.1', b: '10.0.0.2', packets: 2, bytes: 20 }],
      ports: [
        { transport: 'tcp', port: 443, packets: 5, bytes: 500 },
        { transport: 'udp', port: 53, packets: 1, bytes: 10 },
      ],
      dns_names: [{ name: 'example.com', queries: 4 }],
    };
    const seen: unknown[] = [];
    forEachRanked(top, (list, rank, label, c) => seen.push([list, rank, label, c.packets, c.bytes]));
    expect(seen).toEqual([
      ['sources', 1, '10.0.0.1', 3, 300],
      ['conversations', 1, '10.0.0.1 <-> 10.0.0.2', 2, 20],
      ['ports', 1, 'tcp/443', 5, 500],
      ['ports', 2, 'udp/53', 1, 10],
      ['dns_names', 1, 'example.com', 4, 0],
    ]);
  });
});
