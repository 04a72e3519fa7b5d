import { NET_IPV4, type DecodedPacket } from '@wirewatch/packet';
import { ADDRESS_WORDS, compareAddressKeys, formatAddressKey } from './address-key.js';
import type { ConversationEntry, HostEntry, PortEntry } from './summary.js';
import { KeyTable } from './table/key-table.js';

/** Flow key words: [family<<16 | portsKnown<<15 | proto (256 = unknown), src(4), dst(4), sport<<16 | dport]. */
const FLOW_WORDS = 10;
const PACKETS = 0;
const BYTES = 1;
const FIRST = 2;
const LAST = 3;
const COLUMNS = 4;
const PORTS_KNOWN = 0x8000;
const UNKNOWN_PROTO = 0x100;
const TCP = 6;
const UDP = 17;

export interface Flow {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: number | null;
  packets: number;
  bytes: number;
  first_seen: number;
  last_seen: number;
}

/**
 * Exact one-way flows (5-tuples of the outermost IP header). Everything `analyze` reports per
 * address, conversation and port is derived from it after the last packet, so each packet costs
 * one hash lookup.
 */
export class FlowTable {
  readonly table = new KeyTable(FLOW_WORDS, COLUMNS, { initialCapacity: 4096 });

  add(d: DecodedPacket, wireLength: number, timestamp: number): void {
    const t = this.table;
    const k = t.key;
    const family = d.network === NET_IPV4 ? 4 : 6;
    const portsKnown = d.hasPorts && !d.laterFragment;
    k[0] = (family << 16) | (portsKnown ? PORTS_KNOWN : 0) | (d.ipProto < 0 ? UNKNOWN_PROTO : d.ipProto);
    k[1] = d.src0;
    k[2] = d.src1;
    k[3] = d.src2;
    k[4] = d.src3;
    k[5] = d.dst0;
    k[6] = d.dst1;
    k[7] = d.dst2;
    k[8] = d.dst3;
    k[9] = portsKnown ? ((d.srcPort << 16) | d.dstPort) >>> 0 : 0;
    const slot = t.findOrInsert();
    const v = t.values;
    const at = slot * COLUMNS;
    v[at + PACKETS]++;
    v[at + BYTES] += wireLength;
    if (t.inserted) {
      v[at + FIRST] = timestamp;
      v[at + LAST] = timestamp;
    } else {
      if (timestamp < v[at + FIRST]) v[at + FIRST] = timestamp;
      if (timestamp > v[at + LAST]) v[at + LAST] = timestamp;
    }
  }

  get size(): number {
    return this.table.size;
  }

  reset(): void {
    this.table.clear();
  }

  /** Per source address (side 0) or destination address (side 1). */
  hosts(side: 0 | 1): KeyTable {
    const out = new KeyTable(ADDRESS_WORDS, 2, { initialCapacity: 1024 });
    const { keys, values, size } = this.table;
    for (let slot = 0; slot < size; slot++) {
      const k = slot * FLOW_WORDS;
      out.key[0] = keys[k] >>> 16;
      for (let i = 0; i < 4; i++) out.key[1 + i] = keys[k + 1 + side * 4 + i];
      addCounts(out, values, slot);
    }
    return out;
  }

  /** Per unordered address pair. */
  conversations(): KeyTable {
    const out = new KeyTable(ADDRESS_WORDS * 2 - 1, 2, { initialCapacity: 1024 });
    const { keys, values, size } = this.table;
    const pair = new Uint32Array(ADDRESS_WORDS * 2);
    for (let slot = 0; slot < size; slot++) {
      const k = slot * FLOW_WORDS;
      pair[0] = keys[k] >>> 16;
      pair[ADDRESS_WORDS] = pair[0];
      for (let i = 0; i < 4; i++) {
        pair[1 + i] = keys[k + 1 + i];
        pair[ADDRESS_WORDS + 1 + i] = keys[k + 5 + i];
      }
      const swap = compareAddressKeys(pair, 0, ADDRESS_WORDS) > 0;
      out.key[0] = pair[0];
      for (let i = 0; i < 4; i++) {
        out.key[1 + i] = pair[(swap ? ADDRESS_WORDS : 0) + 1 + i];
        out.key[5 + i] = pair[(swap ? 0 : ADDRESS_WORDS) + 1 + i];
      }
      addCounts(out, values, slot);
    }
    return out;
  }

  /** Per TCP/UDP service port (the lower of a flow's two ports): key [proto, port]. */
  ports(): KeyTable {
    const out = new KeyTable(2, 2, { initialCapacity: 1024 });
    const { keys, values, size } = this.table;
    for (let slot = 0; slot < size; slot++) {
      const k = slot * FLOW_WORDS;
      const proto = keys[k] & 0x1ff;
      if (!(keys[k] & PORTS_KNOWN) || (proto !== TCP && proto !== UDP)) continue;
      const ports = keys[k + 9];
      out.key[0] = proto;
      out.key[1] = Math.min(ports >>> 16, ports & 0xffff);
      addCounts(out, values, slot);
    }
    return out;
  }

  /** Every flow, busiest (bytes) first; `limit` bounds how many are turned into objects. */
  flows(limit = Number.POSITIVE_INFINITY): Flow[] {
    const { keys, values } = this.table;
    return rankSlots(this.table, 1, limit).map((slot) => {
      const k = slot * FLOW_WORDS;
      const proto = keys[k] & 0x1ff;
      const ports = keys[k + 9];
      const family = keys[k] >>> 16;
      const at = slot * COLUMNS;
      return {
        src: formatAddressKey(Uint32Array.of(family, keys[k + 1], keys[k + 2], keys[k + 3], keys[k + 4]), 0),
        dst: formatAddressKey(Uint32Array.of(family, keys[k + 5], keys[k + 6], keys[k + 7], keys[k + 8]), 0),
        sport: ports >>> 16,
        dport: ports & 0xffff,
        proto: proto === UNKNOWN_PROTO ? null : proto,
        packets: values[at + PACKETS],
        bytes: values[at + BYTES],
        first_seen: values[at + FIRST],
        last_seen: values[at + LAST],
      };
    });
  }
}

function addCounts(out: KeyTable, values: Float64Array, slot: number): void {
  const o = out.findOrInsert() * 2;
  out.values[o] += values[slot * COLUMNS + PACKETS];
  out.values[o + 1] += values[slot * COLUMNS + BYTES];
}

/** Slots of a table whose columns start with a bytes column at `bytesColumn`, bytes descending, ties by key. */
export function rankSlots(t: KeyTable, bytesColumn: number, limit: number): number[] {
  const slots = Array.from({ length: t.size }, (_, i) => i);
  const { values, keys, columns, keyWords } = t;
  slots.sort((a, b) => values[b * columns + bytesColumn] - values[a * columns + bytesColumn] || compareAddressKeys(keys, a * keyWords, b * keyWords, keyWords));
  return slots.length > limit ? slots.slice(0, limit) : slots;
}

export function topHosts(t: KeyTable, n: number): HostEntry[] {
  return rankSlots(t, 1, n).map((slot) => ({
    ip: formatAddressKey(t.keys, slot * ADDRESS_WORDS),
    packets: t.values[slot * 2],
    bytes: t.values[slot * 2 + 1],
  }));
}

export function topConversations(t: KeyTable, n: number): ConversationEntry[] {
  return rankSlots(t, 1, n).map((slot) => {
    const k = slot * t.keyWords;
    const family = t.keys[k];
    return {
      a: formatAddressKey(Uint32Array.of(family, t.keys[k + 1], t.keys[k + 2], t.keys[k + 3], t.keys[k + 4]), 0),
      b: formatAddressKey(Uint32Array.of(family, t.keys[k + 5], t.keys[k + 6], t.keys[k + 7], t.keys[k + 8]), 0),
      packets: t.values[slot * 2],
      bytes: t.values[slot * 2 + 1],
    };
  });
}

export function topPorts(t: KeyTable, n: number): PortEntry[] {
  return rankSlots(t, 1, n).map((slot) => ({
    transport: t.keys[slot * 2] === TCP ? 'tcp' : 'udp',
    port: t.keys[slot * 2 + 1],
    packets: t.values[slot * 2],
    bytes: t.values[slot * 2 + 1],
  }));
}
