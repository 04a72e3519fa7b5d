import type { DecodedPacket } from '@wirewatch/packet';
import { BasicCounters } from './basic-counters.js';
import { DnsNameCounter } from './dns-names.js';
import { FanoutCounter } from './fanout-counter.js';
import { FlowTable, topConversations, topHosts, topPorts } from './flow-table.js';
import { classify } from './protocol-class.js';
import type { TrafficSummarizer } from './summarizer.js';
import { FANOUT_SOURCES, type SummaryView } from './summary.js';

/** Exact counts: every flow and query name is kept, so memory grows with their number (not with packets). */
export class ExactSummarizer implements TrafficSummarizer {
  readonly counters = new BasicCounters();
  readonly flows = new FlowTable();
  readonly dnsNames = new DnsNameCounter();
  readonly fanout = new FanoutCounter();

  add(d: DecodedPacket): number {
    const cls = classify(d);
    this.counters.add(d, cls);
    if (d.hasSource) {
      this.flows.add(d);
      this.fanout.add(d);
    }
    if (d.isDns && !d.dnsResponse && d.dnsQtype >= 0) this.dnsNames.add(d);
    return cls;
  }

  view(topN: number): SummaryView {
    const sources = this.flows.hosts(0);
    const destinations = this.flows.hosts(1);
    const conversations = this.flows.conversations();
    return {
      ...this.counters.fill(),
      cardinalities: {
        sources: sources.size,
        destinations: destinations.size,
        conversations: conversations.size,
        flows: this.flows.size,
        exact: true,
      },
      fanout: this.fanout.section(FANOUT_SOURCES),
      top: {
        sources: topHosts(sources, topN),
        destinations: topHosts(destinations, topN),
        conversations: topConversations(conversations, topN),
        ports: topPorts(this.flows.ports(), topN),
        dns_names: this.dnsNames.top(topN),
      },
    };
  }

  reset(): void {
    this.counters.reset();
    this.flows.reset();
    this.dnsNames.reset();
    this.fanout.reset();
  }
}
