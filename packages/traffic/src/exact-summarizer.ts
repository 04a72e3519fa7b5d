import type { DecodedPacket } from '@wirewatch/packet';
import { BasicCounters } from './basic-counters.js';
import { DnsNameCounter } from './dns-names.js';
import { FlowTable, topConversations, topHosts, topPorts } from './flow-table.js';
import { classify } from './protocol-class.js';
import type { TrafficSummarizer } from './summarizer.js';
import type { TrafficSummary } from './summary.js';

/** Exact counts: every flow and query name is kept, so memory grows with their number (not with packets). */
export class ExactSummarizer implements TrafficSummarizer {
  readonly counters = new BasicCounters();
  readonly flows = new FlowTable();
  readonly dnsNames = new DnsNameCounter();

  add(d: DecodedPacket): number {
    const cls = classify(d);
    this.counters.add(d, cls);
    if (d.hasSource) this.flows.add(d);
    if (d.isDns && !d.dnsResponse && d.dnsQtype >= 0) this.dnsNames.add(d);
    return cls;
  }

  summary(topN: number): TrafficSummary {
    const { queries, responses, nxdomain, rcodes, qtypes, ...counters } = this.counters.fill();
    const sources = this.flows.hosts(0);
    const destinations = this.flows.hosts(1);
    const conversations = this.flows.conversations();
    return {
      ...counters,
      top_sources: topHosts(sources, topN),
      top_destinations: topHosts(destinations, topN),
      top_conversations: topConversations(conversations, topN),
      top_ports: topPorts(this.flows.ports(), topN),
      cardinalities: {
        sources: sources.size,
        destinations: destinations.size,
        conversations: conversations.size,
        flows: this.flows.size,
        exact: true,
      },
      dns: { queries, responses, nxdomain, rcodes, qtypes, top_names: this.dnsNames.top(topN) },
    };
  }

  reset(): void {
    this.counters.reset();
    this.flows.reset();
    this.dnsNames.reset();
  }
}
