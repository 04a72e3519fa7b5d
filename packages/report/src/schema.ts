/**
 * The analysis report written by `wirewatch analyze --json`. Documented in docs/report-schema.md;
 * bump REPORT_VERSION on any change a consumer could notice.
 */
export const REPORT_VERSION = 1;

export type ProtocolClass = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other-ip' | 'arp' | 'other';

export const PROTOCOL_CLASSES: readonly ProtocolClass[] = ['tcp', 'udp', 'icmp', 'icmpv6', 'other-ip', 'arp', 'other'];

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
  port: number;
}

export interface TimelineRow {
  /** Interval start, seconds since the Unix epoch. */
  start: number;
  packets: number;
  bytes: number;
  protocols: Record<ProtocolClass, Counter>;
}

export interface DnsNameEntry {
  name: string;
  queries: number;
}

export interface DnsSection {
  /** DNS messages with QR=0 seen on UDP port 53. */
  queries: number;
  /** DNS messages with QR=1. */
  responses: number;
  /** Responses with RCODE 3. */
  nxdomain: number;
  /** Responses by RCODE mnemonic (NOERROR, SERVFAIL, NXDOMAIN, ...). */
  rcodes: Record<string, number>;
  /** Query names of queries (QR=0), lower-cased, most queried first. */
  top_names: DnsNameEntry[];
  /** Query types of queries by mnemonic (A, AAAA, ...). */
  qtypes: Record<string, number>;
}

export interface FlowEntry extends Counter {
  src: string;
  dst: string;
  /** 0 where the protocol has no ports. */
  sport: number;
  dport: number;
  /** IP protocol number of the class (6, 17, 1, 58, or the raw number for other-ip). */
  proto: number;
  /** Seconds since the Unix epoch, microsecond precision. */
  first_seen: number;
  last_seen: number;
}

export interface DecodeErrors {
  /** Frames whose headers were cut short or invalid; counted in totals, skipped for deeper layers. */
  total: number;
  /** By reason, e.g. `ipv4.truncated`, `tcp.bad-offset`. */
  by_reason: Record<string, number>;
}

export interface CaptureInfo {
  file: string;
  format: 'pcap' | 'pcapng';
  /** Link types seen, by name (ETHERNET, LINUX_SLL, ...). */
  link_types: string[];
  first_packet: number | null;
  last_packet: number | null;
  duration_seconds: number;
  /** Set when the file ended inside a record; the report covers every complete record. */
  truncated: boolean;
  warnings: string[];
}

export interface Cardinalities {
  sources: number;
  destinations: number;
  conversations: number;
  flows: number;
  /** Whether the figures are exact counts or HyperLogLog estimates. */
  exact: boolean;
}

export interface AnalysisReport {
  version: typeof REPORT_VERSION;
  generator: string;
  capture: CaptureInfo;
  /** Every frame in the capture. */
  packets: number;
  /** Sum of every frame's original wire length. */
  bytes: number;
  /** Sum of captured lengths (what the file actually holds). */
  captured_bytes: number;
  protocols: Record<ProtocolClass, Counter>;
  top_sources: HostEntry[];
  top_destinations: HostEntry[];
  top_conversations: ConversationEntry[];
  top_ports: PortEntry[];
  cardinalities: Cardinalities;
  interval_seconds: number;
  timeline: TimelineRow[];
  tcp_flags: Record<'syn' | 'syn_ack' | 'fin' | 'rst' | 'psh' | 'ack' | 'urg' | 'ece' | 'cwr', number>;
  /** Frame length histogram: bucket upper bounds (inclusive) and counts; last bound is Infinity written as null. */
  packet_sizes: { le: number | null; packets: number }[];
  dns: DnsSection;
  decode_errors: DecodeErrors;
  /** The busiest flows (bytes descending); the CSV export holds all of them. */
  top_flows: FlowEntry[];
}
