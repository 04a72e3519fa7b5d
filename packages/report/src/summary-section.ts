import type { SummaryView } from '@wirewatch/traffic';
import type { TrafficSummary } from './schema.js';

/**
 * A view in the report's documented layout: every counter as the summarizer names it, the top lists
 * as `top_*` (DNS names under `dns.top_names`). The fan-out section is a sensor's, for rules: not shown.
 */
export function summarySection(view: SummaryView): TrafficSummary {
  const { top, fanout: _fanout, cardinalities, dns, ...counters } = view;
  return {
    ...counters,
    top_sources: top.sources,
    top_destinations: top.destinations,
    top_conversations: top.conversations,
    top_ports: top.ports,
    cardinalities,
    dns: { ...dns, top_names: top.dns_names },
  };
}
