/**
 * What a summarizer reports for a span of traffic: the same shape whether it counted exactly
 * (`wirewatch analyze`) or with bounded sketches (the sensor), so reports, the wire protocol and
 * the collector share one vocabulary.
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

export interface DnsSection {
  /** DNS messages with QR=0 on UDP port 53. */
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

export interface TrafficSummary {
  /** Every frame. */
  packets: number;
  /** Sum of every frame's original wire length. */
  bytes: number;
  /** Sum of captured lengths (what the capture actually holds). */
  captured_bytes: number;
  protocols: Record<ProtocolClass, Counter>;
  top_sources: HostEntry[];
  top_destinations: HostEntry[];
  top_conversations: ConversationEntry[];
  top_ports: PortEntry[];
  cardinalities: Cardinalities;
  tcp_flags: Record<TcpFlagName, number>;
  packet_sizes: SizeBucket[];
  dns: DnsSection;
  decode_errors: DecodeErrors;
}
