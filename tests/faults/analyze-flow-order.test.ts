/**
 * The streamed flow list (FlowTable.ranked(), what flows.csv and top_flows are written from) is
 * the order the report always had: bytes descending, ties by the normalized 10-word key, whether the
 * whole table is sorted or a short list is picked with the bounded heap (issue 11).
 */
import { DecodedPacket, formatIpv4, formatIpv6, NET_IPV4, NET_IPV6 } from '@wirewatch/packet';
import { FlowTable, rankIds, type Flow } from '@wirewatch/traffic';
import { describe, expect, it } from 'vitest';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelFlow extends Flow {
  key: number[];
}

/** Random packets into a FlowTable and into a plain model of what it should hold. */
function fill(seed: number, packets: number): { table: FlowTable; model: ModelFlow[] } {
  const next = random(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const table = new FlowTable();
  const model = new Map<string, ModelFlow>();
  const d = new DecodedPacket();
  for (let i = 0; i < packets; i++) {
    const v6 = pick(4) === 0;
    d.network = v6 ? NET_IPV6 : NET_IPV4;
    d.src0 = v6 ? 0x20010db8 : 0x0a000000 + pick(6);
    d.src1 = v6 ? pick(3) : 0;
    d.src2 = 0;
    d.src3 = v6 ? pick(3) : 0;
    d.hasDestination = pick(20) !== 0;
    d.dst0 = v6 ? 0x20010db8 : 0xc0000200 + pick(3);
    d.dst1 = 0;
    d.dst2 = 0;
    d.dst3 = v6 ? pick(2) : 0;
    d.ipProto = [6, 17, 1, -1][pick(4)]!;
    d.hasPorts = d.ipProto === 6 || d.ipProto === 17;
    d.laterFragment = pick(30) === 0;
    d.srcPort = 1000 + pick(4);
    d.dstPort = [53, 80, 443][pick(3)]!;
    d.wireLength = [60, 60, 100, 1500][pick(4)]!; // many equal byte counts: the key decides
    d.timestamp = 1_700_000_000 + i / 1000;
    table.add(d);

    const portsKnown = d.hasPorts && !d.laterFragment;
    const meta =
      ((v6 ? 6 : 4) << 16) |
      (portsKnown ? 0x8000 : 0) |
      (d.hasDestination ? 0 : 0x4000) |
      (d.ipProto < 0 ? 0x100 : d.ipProto);
    const dst = d.hasDestination ? [d.dst0, d.dst1, d.dst2, d.dst3] : [0, 0, 0, 0];
    const key = [meta, d.src0, d.src1, d.src2, d.src3, ...dst, portsKnown ? ((d.srcPort << 16) | d.dstPort) >>> 0 : 0];
    const id = key.join(',');
    const flow = model.get(id);
    if (flow) {
      flow.packets++;
      flow.bytes += d.wireLength;
      flow.last_seen = d.timestamp;
    } else {
      const address = (w: number[]) => (v6 ? formatIpv6(w[0], w[1], w[2], w[3]) : formatIpv4(w[0]));
      model.set(id, {
        key,
        src: address(key.slice(1, 5)),
        dst: d.hasDestination ? address(dst) : '',
        sport: portsKnown ? d.srcPort : 0,
        dport: portsKnown ? d.dstPort : 0,
        proto: d.ipProto < 0 ? null : d.ipProto,
        packets: 1,
        bytes: d.wireLength,
        first_seen: d.timestamp,
        last_seen: d.timestamp,
      });
    }
  }
  const byKey = (a: number[], b: number[]) => a.reduce((order, word, i) => order || word - b[i], 0);
  const expected = [...model.values()].sort((a, b) => b.bytes - a.bytes || byKey(a.key, b.key));
  return { table, model: expected };
}

const withoutKey = ({ key: _key, ...flow }: ModelFlow): Flow => flow;

describe('flows in report order, streamed from the flow table', () => {
  it.each([1, 2, 3])(
    'seed %i: every flow, and the busiest 1, 10, 100 and all but one, match a plain sort of a plain model',
    (seed) => {
      const { table, model } = fill(seed, 20_000);
      expect(table.size).toBe(model.length);
      expect(model.length).toBeGreaterThan(500);
      expect([...table.ranked()]).toEqual(model.map(withoutKey));
      for (const limit of [1, 10, 100, model.length - 1])
        expect(table.flows(limit), `limit ${limit}`).toEqual(model.slice(0, limit).map(withoutKey));
    },
  );

  it('rankIds orders like a stable Array.prototype.sort, by full sort and by bounded selection', () => {
    const next = random(7);
    for (const count of [0, 1, 15, 16, 17, 1000, 4099]) {
      const values = Array.from({ length: count }, () => Math.floor(next() * 50));
      const compare = (a: number, b: number) => values[a] - values[b] || a - b;
      const expected = Array.from({ length: count }, (_, i) => i).sort(compare);
      for (const limit of [0, 1, 5, count >> 2, count, Number.POSITIVE_INFINITY])
        expect(Array.from(rankIds(count, compare, limit)), `count ${count}, limit ${limit}`).toEqual(
          expected.slice(0, limit),
        );
    }
  });
});
