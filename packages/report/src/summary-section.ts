import type { SummaryView } from '@wirewatch/traffic';
import type { TrafficSummary } from './schema.js';

/**
 * A view in the report's documented layout (docs/report-schema.md): its counters, the top lists as
 * `top_*` (DNS names under `dns.top_names`). The fields are listed, not spread: a counter new to the
 * view enters the report (and REPORT_VERSION's judgement) only when added here. The fan-out section
 * is for rules, not shown.
 */
export function summarySection(view: SummaryView): TrafficSummary {
  const { top } = view;
  return {
    packets: view.packets,
    bytes: view.bytes,
    captured_bytes: view.captured_bytes,
    protocols: view.protocols,
    tcp_flags: view.tcp_flags,
    packet_sizes: view.packet_sizes,
    decode_errors: view.decode_errors,
    top_sources: top.sources,
    top_destinations: top.destinations,
    top_conversations: top.conversations,
    top_ports: top.ports,
    cardinalities: view.cardinalities,
    dns: { ...view.dns, top_names: top.dns_names },
  };
}
