import { NET_IPV4, type DecodedPacket } from '@wirewatch/packet';
import { ADDRESS_WORDS, formatAddressKey } from './key-layout.js';
import type { FanoutEntry, FanoutSection } from './summary.js';
import { KeyTable } from './table/key-table.js';
import { rankIds } from './table/rank-ids.js';

const TCP = 6;
const ICMP = 1;
const ICMPV6 = 58;
const SYN = 0x02;
const ACK = 0x10;

/**
 * Per-interval fan-out of sources, for port-scan and host-sweep detection: the distinct
 * (source, destination port) pairs of connection attempts and the distinct (source, destination)
 * pairs of attempts and pings, in two bounded tables. Only attempts count (SYN without ACK, echo
 * requests), so a busy server answering many clients is not mistaken for a scanner. When a table is
 * full, new pairs are not recorded and are counted in `pairsDropped`: the fan-out is then a lower bound.
 */
export class FanoutCounter {
  pairsDropped = 0;
  private readonly portPairs: KeyTable;
  private readonly hostPairs: KeyTable;

  constructor(maxPairs = 65_536) {
    this.portPairs = new KeyTable(ADDRESS_WORDS + 1, 0, { initialCapacity: 1024, maxSize: maxPairs });
    this.hostPairs = new KeyTable(ADDRESS_WORDS * 2 - 1, 0, { initialCapacity: 1024, maxSize: maxPairs });
  }

  add(d: DecodedPacket): void {
    if (!d.hasSource || !d.hasDestination) return;
    const attempt = d.ipProto === TCP && d.tcpFlags >= 0 && (d.tcpFlags & (SYN | ACK)) === SYN;
    const ping = (d.ipProto === ICMP && d.icmpType === 8) || (d.ipProto === ICMPV6 && d.icmpType === 128);
    if (!attempt && !ping) return;
    const family = d.network === NET_IPV4 ? 4 : 6;
    if (attempt && d.hasPorts && !d.laterFragment) {
      const k = this.portPairs.key;
      k[0] = family;
      k[1] = d.src0;
      k[2] = d.src1;
      k[3] = d.src2;
      k[4] = d.src3;
      k[5] = d.dstPort;
      if (this.portPairs.findOrInsert() < 0) this.pairsDropped++;
    }
    const h = this.hostPairs.key;
    h[0] = family;
    h[1] = d.src0;
    h[2] = d.src1;
    h[3] = d.src2;
    h[4] = d.src3;
    h[5] = d.dst0;
    h[6] = d.dst1;
    h[7] = d.dst2;
    h[8] = d.dst3;
    if (this.hostPairs.findOrInsert() < 0) this.pairsDropped++;
  }

  /**
   * The `n` sources with the widest fan-out (by ports, then destinations, then address text). Counted
   * per source key, not per formatted address: only the sources compared on a tie, and those
   * returned, are turned into strings (a full table is 131,072 pairs, every interval).
   */
  top(n: number): FanoutEntry[] {
    const bySource = new KeyTable(ADDRESS_WORDS, 2, { initialCapacity: 256 });
    tally(this.portPairs, bySource, 0);
    tally(this.hostPairs, bySource, 1);
    const v = bySource.values;
    const ips: Array<string | undefined> = [];
    const ip = (slot: number): string => (ips[slot] ??= formatAddressKey(bySource.keys, slot * ADDRESS_WORDS));
    const order = rankIds(
      bySource.size,
      (a, b) => v[b * 2] - v[a * 2] || v[b * 2 + 1] - v[a * 2 + 1] || (ip(a) < ip(b) ? -1 : ip(a) > ip(b) ? 1 : 0),
      n,
    );
    return Array.from(order, (slot) => ({ ip: ip(slot), ports: v[slot * 2], destinations: v[slot * 2 + 1] }));
  }

  /** The fan-out section of a summary: the `n` widest sources and what the tables had no room for. */
  section(n: number): FanoutSection {
    return { sources: this.top(n), pairs_dropped: this.pairsDropped };
  }

  reset(): void {
    this.portPairs.clear();
    this.hostPairs.clear();
    this.pairsDropped = 0;
  }
}

/** Counts each pair of `pairs` for its source (the key's first ADDRESS_WORDS words) in `column` of `out`. */
function tally(pairs: KeyTable, out: KeyTable, column: number): void {
  const kw = pairs.keyWords;
  const keys = pairs.keys;
  for (let s = 0; s < pairs.size; s++) {
    for (let i = 0; i < ADDRESS_WORDS; i++) out.key[i] = keys[s * kw + i];
    const slot = out.findOrInsert(); // may grow the table: read `values` after it
    out.values[slot * 2 + column]++;
  }
}
