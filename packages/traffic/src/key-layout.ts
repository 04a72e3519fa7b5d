import { formatIpv4, formatIpv6, NET_IPV4, type DecodedPacket } from '@wirewatch/packet';
import type { HeavyHitter } from './sketch/space-saving.js';
import type {
  Counter,
  ConversationEntry,
  DnsNameEntry,
  HostEntry,
  PortEntry,
  TopListName,
  TopLists,
} from './summary.js';

/**
 * The one place that says how a packet becomes a table or sketch key, and how a key becomes a
 * top-list entry and its label. The exact tables and the sketches both write their keys here, so
 * "a source", "a conversation", "a port" and "a flow" mean the same thing in `analyze` and on a
 * sensor, and every consumer (report, InfluxDB points, rules) reads the same entries.
 */

/** An address: [family (4 or 6), w0, w1, w2, w3]; IPv4 uses w0 only. */
export const ADDRESS_WORDS = 5;
export const SOURCE_KEY_WORDS = ADDRESS_WORDS;
/** A conversation: [family, lower address (4), higher address (4)], the two addresses in key order. */
export const CONVERSATION_KEY_WORDS = ADDRESS_WORDS * 2 - 1;
/** A service port: [IP protocol (6 or 17), the lower of the flow's two ports]. */
export const PORT_KEY_WORDS = 2;
/** A DNS query name: two independent 32-bit hashes of its bytes and its length (see dnsNameKey). */
export const DNS_NAME_KEY_WORDS = 3;

/**
 * A flow is one direction of the outermost IP header's 5-tuple, for every frame with a source
 * address: [meta, src, dst, ports] with meta = family<<16 | portsKnown<<15 | noDestination<<14 |
 * proto (0x100 when the header was cut before it). Ports are 0 where the protocol has none or the
 * frame is a later fragment (portsKnown tells those apart from real ports 0); a header cut after
 * the source address makes a flow without destination (address words 0). IPv4 keys take 4 words
 * [meta, src, dst, ports], IPv6 keys 10 [meta, src(4), dst(4), ports]: hashing 4 words instead
 * of 10 is the larger part of a packet's cost.
 */
export const FLOW_KEY_WORDS_V4 = 4;
export const FLOW_KEY_WORDS = 10;
export const FLOW_PORTS_KNOWN = 0x8000;
export const FLOW_NO_DESTINATION = 0x4000;
export const FLOW_UNKNOWN_PROTO = 0x100;
export const FLOW_PROTO_MASK = 0x1ff;

const TCP = 6;
const UDP = 17;

/** The flow key of a frame with a source address (see FLOW_KEY_WORDS); returns its length in words. */
export function writeFlowKey(d: DecodedPacket, key: Uint32Array): number {
  const portsKnown = d.hasPorts && !d.laterFragment;
  const known = d.hasDestination;
  const meta =
    (portsKnown ? FLOW_PORTS_KNOWN : 0) |
    (known ? 0 : FLOW_NO_DESTINATION) |
    (d.ipProto < 0 ? FLOW_UNKNOWN_PROTO : d.ipProto);
  const ports = portsKnown ? ((d.srcPort << 16) | d.dstPort) >>> 0 : 0;
  if (d.network === NET_IPV4) {
    key[0] = (4 << 16) | meta;
    key[1] = d.src0;
    key[2] = known ? d.dst0 : 0;
    key[3] = ports;
    return FLOW_KEY_WORDS_V4;
  }
  key[0] = (6 << 16) | meta;
  key[1] = d.src0;
  key[2] = d.src1;
  key[3] = d.src2;
  key[4] = d.src3;
  key[5] = known ? d.dst0 : 0;
  key[6] = known ? d.dst1 : 0;
  key[7] = known ? d.dst2 : 0;
  key[8] = known ? d.dst3 : 0;
  key[9] = ports;
  return FLOW_KEY_WORDS;
}

/** The frame's source address key. */
export function writeSourceKey(d: DecodedPacket, key: Uint32Array): void {
  key[0] = d.network === NET_IPV4 ? 4 : 6;
  key[1] = d.src0;
  key[2] = d.src1;
  key[3] = d.src2;
  key[4] = d.src3;
}

/** The frame's destination address key (only for a frame with a destination). */
export function writeDestinationKey(d: DecodedPacket, key: Uint32Array): void {
  key[0] = d.network === NET_IPV4 ? 4 : 6;
  key[1] = d.dst0;
  key[2] = d.dst1;
  key[3] = d.dst2;
  key[4] = d.dst3;
}

/** The conversation key of two address keys of one family (`a` at `atA`, `b` at `atB`). */
export function writeConversationKey(a: Uint32Array, atA: number, b: Uint32Array, atB: number, key: Uint32Array): void {
  let order = 0;
  for (let i = 1; i < ADDRESS_WORDS && order === 0; i++) order = a[atA + i] - b[atB + i];
  const swap = order > 0;
  const lo = swap ? b : a;
  const hi = swap ? a : b;
  const atLo = swap ? atB : atA;
  const atHi = swap ? atA : atB;
  key[0] = a[atA];
  for (let i = 1; i < ADDRESS_WORDS; i++) {
    key[i] = lo[atLo + i];
    key[ADDRESS_WORDS - 1 + i] = hi[atHi + i];
  }
}

/** The service-port key of a TCP or UDP frame whose ports are known; false (nothing written) for any other. */
export function writePortKey(d: DecodedPacket, key: Uint32Array): boolean {
  if (!d.hasPorts || d.laterFragment || (d.ipProto !== TCP && d.ipProto !== UDP)) return false;
  key[0] = d.ipProto;
  key[1] = d.srcPort < d.dstPort ? d.srcPort : d.dstPort;
  return true;
}

/** The service-port key of a flow key (normalized to FLOW_KEY_WORDS); false for a flow without one. */
export function writeFlowPortKey(flow: Uint32Array, key: Uint32Array): boolean {
  const proto = flow[0] & FLOW_PROTO_MASK;
  if (!(flow[0] & FLOW_PORTS_KNOWN) || (proto !== TCP && proto !== UDP)) return false;
  key[0] = proto;
  key[1] = Math.min(flow[9] >>> 16, flow[9] & 0xffff);
  return true;
}

/** Keys a query name by two independent 32-bit hashes of its bytes and its length (3 words). */
export function dnsNameKey(d: DecodedPacket, key: Uint32Array): void {
  const length = d.dnsNameLength;
  const bytes = d.dnsName;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < length; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 0x01000193);
    h2 = Math.imul(h2 + bytes[i], 0x5bd1e995) ^ (h2 >>> 13);
  }
  key[0] = h1;
  key[1] = h2;
  key[2] = length;
}

export function formatAddressKey(keys: Uint32Array, at: number): string {
  return keys[at] === 4 ? formatIpv4(keys[at + 1]) : formatIpv6(keys[at + 1], keys[at + 2], keys[at + 3], keys[at + 4]);
}

/** Orders two keys of `words` words: negative when the one at `a` sorts first. */
export function compareAddressKeys(keys: Uint32Array, a: number, b: number, words = ADDRESS_WORDS): number {
  for (let i = 0; i < words; i++) {
    const d = keys[a + i] - keys[b + i];
    if (d !== 0) return d;
  }
  return 0;
}

/** Hex of a sketch key's words: a stable string handle, e.g. for DNS names sent beside their sketch. */
export function keyHex(key: Uint32Array): string {
  let out = '';
  for (let i = 0; i < key.length; i++) out += key[i].toString(16).padStart(8, '0');
  return out;
}

/** The entry of a source or destination key at `at` in `keys`. */
export function hostEntry(keys: Uint32Array, at: number, packets: number, bytes: number): HostEntry {
  return { ip: formatAddressKey(keys, at), packets, bytes };
}

/** The entry of a conversation key at `at` in `keys`. */
export function conversationEntry(keys: Uint32Array, at: number, packets: number, bytes: number): ConversationEntry {
  const v4 = keys[at] === 4;
  return {
    a: v4 ? formatIpv4(keys[at + 1]) : formatIpv6(keys[at + 1], keys[at + 2], keys[at + 3], keys[at + 4]),
    b: v4 ? formatIpv4(keys[at + 5]) : formatIpv6(keys[at + 5], keys[at + 6], keys[at + 7], keys[at + 8]),
    packets,
    bytes,
  };
}

/** The entry of a service-port key at `at` in `keys`. */
export function portEntry(keys: Uint32Array, at: number, packets: number, bytes: number): PortEntry {
  return { transport: keys[at] === TCP ? 'tcp' : 'udp', port: keys[at + 1], packets, bytes };
}

/** Heavy hitters of each top-list sketch, as read off a live, merged or serialized sketch. */
export type TopHitters = Record<TopListName, HeavyHitter[]>;

/**
 * The top lists of sketch entries. A DNS-name sketch counts one query as one byte (its ranking
 * weight), and its keys are hashes: `nameOf` gives the name of a key's hex (`keyHex`), '?' if unknown.
 */
export function topListsOf(hitters: TopHitters, nameOf: (hex: string) => string | undefined): TopLists {
  const hosts = (list: HeavyHitter[]) => list.map((e) => hostEntry(e.key, 0, e.packets, e.bytes));
  return {
    sources: hosts(hitters.sources),
    destinations: hosts(hitters.destinations),
    conversations: hitters.conversations.map((e) => conversationEntry(e.key, 0, e.packets, e.bytes)),
    ports: hitters.ports.map((e) => portEntry(e.key, 0, e.packets, e.bytes)),
    dns_names: hitters.dns_names.map((e): DnsNameEntry => ({ name: nameOf(keyHex(e.key)) ?? '?', queries: e.bytes })),
  };
}

/** "10.0.0.1 <-> 10.0.0.2": how a conversation is named wherever one string stands for it. */
export function conversationLabel(e: ConversationEntry): string {
  return `${e.a} <-> ${e.b}`;
}

/** "tcp/443": how a service port is named wherever one string stands for it. */
export function portLabel(e: PortEntry): string {
  return `${e.transport}/${e.port}`;
}

/**
 * Every entry of every top list, in list order and rank order (from 1), as one label and its counts:
 * the form rank-tagged points take. A DNS name's queries count as its packets; it has no bytes.
 */
export function forEachRanked(
  top: TopLists,
  visit: (list: TopListName, rank: number, label: string, counts: Counter) => void,
): void {
  top.sources.forEach((e, i) => visit('sources', i + 1, e.ip, e));
  top.destinations.forEach((e, i) => visit('destinations', i + 1, e.ip, e));
  top.conversations.forEach((e, i) => visit('conversations', i + 1, conversationLabel(e), e));
  top.ports.forEach((e, i) => visit('ports', i + 1, portLabel(e), e));
  top.dns_names.forEach((e, i) => visit('dns_names', i + 1, e.name, { packets: e.queries, bytes: 0 }));
}
