import type { OfflineAlert } from './offline-alerts.js';
/**
 * The analysis report written by `wirewatch analyze --json`. Documented in docs/report-schema.md;
 * bump REPORT_VERSION on any change a consumer could notice.
 */
import type {
  Cardinalities,
  Counter,
  DnsCounts,
  DnsNameEntry,
  ConversationEntry,
  HostEntry,
  PortEntry,
  ProtocolClass,
  SummaryCounters,
} from '@wirewatch/traffic';

export type {
  Cardinalities,
  ConversationEntry,
  Counter,
  DecodeErrors,
  DnsCounts,
  DnsNameEntry,
  HostEntry,
  PortEntry,
  ProtocolClass,
  SizeBucket,
  TcpFlagName,
} from '@wirewatch/traffic';
export { PROTOCOL_CLASSES } from '@wirewatch/traffic';

export interface DnsSection extends DnsCounts {
  /** Query names of queries (QR=0), lower-cased, most queried first. */
  top_names: DnsNameEntry[];
}

/** The report's layout of a SummaryView (summary-section.ts): the counters, then the top lists, as documented. */
export interface TrafficSummary extends Pick<
  SummaryCounters,
  'packets' | 'bytes' | 'captured_bytes' | 'protocols' | 'tcp_flags' | 'packet_sizes' | 'decode_errors'
> {
  top_sources: HostEntry[];
  top_destinations: HostEntry[];
  top_conversations: ConversationEntry[];
  top_ports: PortEntry[];
  cardinalities: Cardinalities;
  dns: DnsSection;
}

export const REPORT_VERSION = 1;

export interface TimelineRow {
  /** Interval start, seconds since the Unix epoch. */
  start: number;
  packets: number;
  bytes: number;
  protocols: Record<ProtocolClass, Counter>;
}

export interface FlowEntry extends Counter {
  src: string;
  dst: string;
  /** 0 where the protocol has no ports (or the packet was a later fragment). */
  sport: number;
  dport: number;
  /** IP protocol number (6, 17, 1, 58, ...); null when the header was cut before it. */
  proto: number | null;
  /** Seconds since the Unix epoch, microsecond precision. */
  first_seen: number;
  last_seen: number;
}

export interface CaptureInfo {
  file: string;
  format: 'pcap' | 'pcapng';
  /** Link types seen, by name (ETHERNET, LINUX_SLL, ...). */
  link_types: string[];
  first_packet: number | null;
  last_packet: number | null;
  duration_seconds: number;
  /** Set when reading stopped before the end (cut short, or a corrupt record); the report covers every record before. */
  truncated: boolean;
  warnings: string[];
}

export interface AnalysisReport extends TrafficSummary {
  version: typeof REPORT_VERSION;
  generator: string;
  capture: CaptureInfo;
  interval_seconds: number;
  timeline: TimelineRow[];
  /** The busiest flows (bytes descending); the CSV export holds all of them. */
  top_flows: FlowEntry[];
  /** With `--rules`: the alert transitions the rules would have produced, in capture time. */
  alerts?: OfflineAlert[];
}
