import { formatIpv4, formatIpv6, NET_IPV4, type DecodedPacket } from '@wirewatch/packet';
import {
  ADDRESS_WORDS,
  CONVERSATION_KEY_WORDS,
  FLOW_KEY_WORDS as FLOW_WORDS,
  FLOW_KEY_WORDS_V4,
  FLOW_NO_DESTINATION as NO_DESTINATION,
  FLOW_PROTO_MASK,
  FLOW_UNKNOWN_PROTO as UNKNOWN_PROTO,
  PORT_KEY_WORDS,
  compareAddressKeys,
  conversationEntry,
  hostEntry,
  portEntry,
  writeConversationKey,
  writeFlowKey,
  writeFlowPortKey,
} from './key-layout.js';
import type { ConversationEntry, HostEntry, PortEntry } from './summary.js';
import { KeyTable } from './table/key-table.js';
import { rankIds } from './table/rank-ids.js';

/**
 * Flows keyed as key-layout.ts defines them: IPv4 flows under their 4-word keys in one table, IPv6
 * flows under 10-word keys in another; `forEach` hands out both normalized to 10 words.
 */
const PACKETS = 0;
const BYTES = 1;
const FIRST = 2;
const LAST = 3;
const COLUMNS = 4;

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

type FlowVisitor = (key: Uint32Array, values: Float64Array, at: number) => void;

/**
 * Exact one-way flows (5-tuples of the outermost IP header). Everything `analyze` reports per
 * address, conversation and port is derived from it after the last packet, so each packet costs
 * one hash lookup.
 */
export class FlowTable {
  private readonly v4 = new KeyTable(FLOW_KEY_WORDS_V4, COLUMNS, { initialCapacity: 4096 });
  private readonly v6 = new KeyTable(FLOW_WORDS, COLUMNS, { initialCapacity: 1024 });

  add(d: DecodedPacket): void {
    const wireLength = d.wireLength;
    const timestamp = d.timestamp;
    const t = d.network === NET_IPV4 ? this.v4 : this.v6;
    writeFlowKey(d, t.key);
    const at = t.findOrInsert() * COLUMNS;
    const v = t.values;
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
    return this.v4.size + this.v6.size;
  }

  reset(): void {
    this.v4.clear();
    this.v6.clear();
  }

  /** Visits every flow with its key normalized to 10 words (the array is reused between calls). */
  forEach(visit: FlowVisitor): void {
    const key = new Uint32Array(FLOW_WORDS);
    const v4 = this.v4;
    for (let slot = 0; slot < v4.size; slot++) {
      const k = slot * 4;
      key[0] = v4.keys[k];
      key[1] = v4.keys[k + 1];
      key[5] = v4.keys[k + 2];
      key[9] = v4.keys[k + 3];
      visit(key, v4.values, slot * COLUMNS);
    }
    const v6 = this.v6;
    for (let slot = 0; slot < v6.size; slot++) {
      key.set(v6.keys.subarray(slot * FLOW_WORDS, slot * FLOW_WORDS + FLOW_WORDS));
      visit(key, v6.values, slot * COLUMNS);
    }
  }

  /** Per source address (side 0) or destination address (side 1). */
  hosts(side: 0 | 1): KeyTable {
    const out = new KeyTable(ADDRESS_WORDS, 2, { initialCapacity: 1024 });
    this.forEach((key, values, at) => {
      if (side === 1 && key[0] & NO_DESTINATION) return;
      out.key[0] = key[0] >>> 16;
      for (let i = 0; i < 4; i++) out.key[1 + i] = key[1 + side * 4 + i];
      addCounts(out, values, at);
    });
    return out;
  }

  /** Per unordered address pair. */
  conversations(): KeyTable {
    const out = new KeyTable(CONVERSATION_KEY_WORDS, 2, { initialCapacity: 1024 });
    const pair = new Uint32Array(ADDRESS_WORDS * 2);
    this.forEach((key, values, at) => {
      if (key[0] & NO_DESTINATION) return;
      pair[0] = pair[ADDRESS_WORDS] = key[0] >>> 16;
      for (let i = 0; i < 4; i++) {
        pair[1 + i] = key[1 + i];
        pair[ADDRESS_WORDS + 1 + i] = key[5 + i];
      }
      writeConversationKey(pair, 0, pair, ADDRESS_WORDS, out.key);
      addCounts(out, values, at);
    });
    return out;
  }

  /** Per TCP/UDP service port (the lower of a flow's two ports): key [proto, port]. */
  ports(): KeyTable {
    const out = new KeyTable(PORT_KEY_WORDS, 2, { initialCapacity: 1024 });
    this.forEach((key, values, at) => {
      if (writeFlowPortKey(key, out.key)) addCounts(out, values, at);
    });
    return out;
  }

  /** Every flow, busiest (bytes) first; `limit` bounds how many are turned into objects. */
  flows(limit = Number.POSITIVE_INFINITY): Flow[] {
    return [...this.ranked(limit)];
  }

  /**
   * Every flow (or the `limit` busiest), busiest (bytes) first, ties in key order, made into an object
   * one at a time as the caller asks for it: a caller that writes each one out (the CSV export) holds
   * the table's typed arrays and one 4-byte id per flow, never every flow as an object.
   */
  *ranked(limit = Number.POSITIVE_INFINITY): Generator<Flow> {
    const order = rankIds(this.size, this.compareIds, limit);
    for (let i = 0; i < order.length; i++) yield this.flowAt(order[i]);
  }

  /** Flow ids: 0..v4.size-1 are IPv4 slots, then the IPv6 slots. Bytes descending, then the normalized key ascending. */
  private readonly compareIds = (a: number, b: number): number => {
    const v4 = this.v4;
    const n4 = v4.size;
    const bytesA = a < n4 ? v4.values[a * COLUMNS + BYTES] : this.v6.values[(a - n4) * COLUMNS + BYTES];
    const bytesB = b < n4 ? v4.values[b * COLUMNS + BYTES] : this.v6.values[(b - n4) * COLUMNS + BYTES];
    if (bytesA !== bytesB) return bytesB - bytesA;
    // A 4-word IPv4 key orders as its 10-word normalized form (the words between are zero), and every IPv4 key before every IPv6 one (family in word 0).
    if (a < n4 && b < n4) return compareAddressKeys(v4.keys, a * 4, b * 4, 4);
    if (a >= n4 && b >= n4)
      return compareAddressKeys(this.v6.keys, (a - n4) * FLOW_WORDS, (b - n4) * FLOW_WORDS, FLOW_WORDS);
    return a < n4 ? -1 : 1;
  };

  private flowAt(id: number): Flow {
    const n4 = this.v4.size;
    const v4 = id < n4;
    const keys = v4 ? this.v4.keys : this.v6.keys;
    const values = v4 ? this.v4.values : this.v6.values;
    const slot = v4 ? id : id - n4;
    const k = slot * (v4 ? 4 : FLOW_WORDS);
    const meta = keys[k];
    const proto = meta & FLOW_PROTO_MASK;
    const ports = keys[k + (v4 ? 3 : 9)];
    const at = slot * COLUMNS;
    let dst = '';
    if (!(meta & NO_DESTINATION))
      dst = v4 ? formatIpv4(keys[k + 2]) : formatIpv6(keys[k + 5], keys[k + 6], keys[k + 7], keys[k + 8]);
    return {
      src: v4 ? formatIpv4(keys[k + 1]) : formatIpv6(keys[k + 1], keys[k + 2], keys[k + 3], keys[k + 4]),
      dst,
      sport: ports >>> 16,
      dport: ports & 0xffff,
      proto: proto === UNKNOWN_PROTO ? null : proto,
      packets: values[at + PACKETS],
      bytes: values[at + BYTES],
      first_seen: values[at + FIRST],
      last_seen: values[at + LAST],
    };
  }
}

function addCounts(out: KeyTable, values: Float64Array, at: number): void {
  const o = out.findOrInsert() * 2;
  out.values[o] += values[at + PACKETS];
  out.values[o + 1] += values[at + BYTES];
}

/** Slots of a table whose columns start with a bytes column at `bytesColumn`, bytes descending, ties by key. */
export function rankSlots(t: KeyTable, bytesColumn: number, limit: number): number[] {
  const { values, keys, columns, keyWords } = t;
  const compare = (a: number, b: number) =>
    values[b * columns + bytesColumn] - values[a * columns + bytesColumn] ||
    compareAddressKeys(keys, a * keyWords, b * keyWords, keyWords);
  return Array.from(rankIds(t.size, compare, limit));
}

export function topHosts(t: KeyTable, n: number): HostEntry[] {
  return rankSlots(t, 1, n).map((slot) =>
    hostEntry(t.keys, slot * t.keyWords, t.values[slot * 2], t.values[slot * 2 + 1]),
  );
}

export function topConversations(t: KeyTable, n: number): ConversationEntry[] {
  return rankSlots(t, 1, n).map((slot) =>
    conversationEntry(t.keys, slot * t.keyWords, t.values[slot * 2], t.values[slot * 2 + 1]),
  );
}

export function topPorts(t: KeyTable, n: number): PortEntry[] {
  return rankSlots(t, 1, n).map((slot) =>
    portEntry(t.keys, slot * t.keyWords, t.values[slot * 2], t.values[slot * 2 + 1]),
  );
}
