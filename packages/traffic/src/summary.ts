/**
 * What a summarizer reports for a span of traffic (one interval on a sensor, a whole capture in
 * `analyze`): the same shape whether it counted exactly or with bounded sketches. This is the one
 * definition: the wire codec, the InfluxDB points, the rules and the report all read it.
 */
export type ProtocolClass = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other-ip' | 'arp' | 'other';

export interface Counter {
  packets: number;
  bytes: number;
}

export interface HostEntry extends Counter {
  ip: string;
}

export interface ConversationEntry extends Counter {
  /** The two addresses, the lower-sorting first; counts cover both directions. */
  a: string;
  b: string;
}

export interface PortEntry extends Counter {
  transport: 'tcp' | 'udp';
  /** The service side of the flow, taken as the lower-numbered of its two ports. */
  port: number;
}

export interface DnsNameEntry {
  name: string;
  queries: number;
}

/** A source's fan-out over the span. */
export interface FanoutEntry {
  ip: string;
  /** Distinct destination ports it sent a TCP SYN (without ACK) to: port scans. */
  ports: number;
  /** Distinct hosts it sent a TCP SYN or an ICMP/ICMPv6 echo request to: host sweeps. */
  destinations: number;
}

export interface DnsCounts {
  /** DNS messages with QR=0 on UDP port 53. */
  queries: number;
  /** DNS messages with QR=1. */
  responses: number;
  /** Responses with RCODE 3. */
  nxdomain: number;
  /** Responses by RCODE mnemonic (NOERROR, SERVFAIL, NXDOMAIN, ...). */
  rcodes: Record<string, number>;
  /** Query types of queries by mnemonic (A, AAAA, ...). */
  qtypes: Record<string, number>;
}

export interface DecodeErrors {
  /** Frames whose headers were cut short or invalid; counted in totals, skipped for deeper layers. */
  total: number;
  /** By reason, e.g. `ipv4.truncated`, `tcp.bad-data-offset`. */
  by_reason: Record<string, number>;
}

export interface Cardinalities {
  sources: number;
  destinations: number;
  conversations: number;
  /** Distinct flows as key-layout.ts defines them (every frame with a source address belongs to one). */
  flows: number;
  /** Whether the figures are exact counts or HyperLogLog estimates. */
  exact: boolean;
}

export type TcpFlagName = 'syn' | 'syn_ack' | 'fin' | 'rst' | 'psh' | 'ack' | 'urg' | 'ece' | 'cwr';

export interface SizeBucket {
  /** Inclusive upper bound of the frame's wire length; null for the open last bucket. */
  le: number | null;
  packets: number;
}

/** The counters every summarizer keeps exactly, whatever its mode (BasicCounters). */
export interface SummaryCounters {
  /** Every frame. */
  packets: number;
  /** Sum of every frame's original wire length. */
  bytes: number;
  /** Sum of captured lengths (what the capture actually holds). */
  captured_bytes: number;
  protocols: Record<ProtocolClass, Counter>;
  tcp_flags: Record<TcpFlagName, number>;
  packet_sizes: SizeBucket[];
  dns: DnsCounts;
  decode_errors: DecodeErrors;
}

export interface FanoutSection {
  /** The sources with the widest fan-out (by ports, then destinations), at most FANOUT_SOURCES. */
  sources: FanoutEntry[];
  /** Pairs the bounded fan-out tables had no room for: when > 0, the fan-outs are lower bounds. */
  pairs_dropped: number;
}

/** Sources listed in a span's fan-out section. */
export const FANOUT_SOURCES = 10;

/** Everything but the top lists: what travels as plain numbers (the lists travel as sketches). */
export interface SummaryFigures extends SummaryCounters {
  cardinalities: Cardinalities;
  fanout: FanoutSection;
}

/** The top lists, by name; each entry's key and label come from key-layout.ts. */
export const TOP_LISTS = ['sources', 'destinations', 'conversations', 'ports', 'dns_names'] as const;
export type TopListName = (typeof TOP_LISTS)[number];

export interface TopLists {
  sources: HostEntry[];
  destinations: HostEntry[];
  conversations: ConversationEntry[];
  ports: PortEntry[];
  /** Query names of queries (QR=0), lower-cased, most queried first. */
  dns_names: DnsNameEntry[];
}

/** A span's summary: counters, cardinalities, fan-out and the top lists (busiest first). */
export interface SummaryView extends SummaryFigures {
  top: TopLists;
}
