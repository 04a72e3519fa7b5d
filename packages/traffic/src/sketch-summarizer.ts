import type { DecodedPacket } from '@wirewatch/packet';
import { BasicCounters } from './basic-counters.js';
import { nameToString } from './dns-names.js';
import { FanoutCounter } from './fanout-counter.js';
import {
  ADDRESS_WORDS,
  CONVERSATION_KEY_WORDS,
  DNS_NAME_KEY_WORDS,
  FLOW_KEY_WORDS,
  dnsNameKey,
  keyHex,
  writeConversationKey,
  writeDestinationKey,
  writeFlowKey,
  writePortKey,
  writeSourceKey,
} from './key-layout.js';
import { classify } from './protocol-class.js';
import { SketchSet } from './sketch-set.js';
import type { HyperLogLog } from './sketch/hyperloglog.js';
import type { SpaceSaving } from './sketch/space-saving.js';
import type { SketchedSummary } from './summarizer.js';
import { FANOUT_SOURCES, type SummaryFigures, type SummaryView } from './summary.js';
import { KeyTable } from './table/key-table.js';

export interface SketchOptions {
  /** Counters per top-N sketch (Space-Saving k); memory and accuracy grow with it. Default 512. */
  capacity?: number;
  /** HyperLogLog precision p (2^p one-byte registers); standard error 1.04/sqrt(2^p). Default 12 (1.6%). */
  precision?: number;
}

/**
 * The sensor's summarizer: the same view as ExactSummarizer, with memory fixed at construction
 * whatever the traffic. Top lists come from Space-Saving (counts are upper bounds, exact while fewer
 * keys than counters were seen); cardinalities are HyperLogLog estimates. Every sketch merges with
 * its peers of other intervals and sensors (`sketches()`).
 */
export class SketchSummarizer implements SketchedSummary {
  readonly counters = new BasicCounters();
  /** Sources' fan-out (distinct ports and hosts they tried) for scan detection. */
  readonly fanout = new FanoutCounter();
  private readonly set: SketchSet;
  private readonly sources: SpaceSaving;
  private readonly destinations: SpaceSaving;
  private readonly conversations: SpaceSaving;
  private readonly ports: SpaceSaving;
  private readonly dnsNames: SpaceSaving;
  private readonly distinctSources: HyperLogLog;
  private readonly distinctDestinations: HyperLogLog;
  private readonly distinctConversations: HyperLogLog;
  private readonly distinctFlows: HyperLogLog;
  /** Strings of the DNS names the sketch may report, bounded: rebuilt from the sketch when full. */
  private readonly nameStrings: KeyTable;
  private names: string[] = [];
  private readonly flowKey = new Uint32Array(FLOW_KEY_WORDS);

  constructor(options: SketchOptions = {}) {
    const k = options.capacity ?? 512;
    this.set = SketchSet.create({ capacity: k, precision: options.precision ?? 12 });
    ({
      sources: this.sources,
      destinations: this.destinations,
      conversations: this.conversations,
      ports: this.ports,
      dns_names: this.dnsNames,
    } = this.set.top);
    ({
      distinct_sources: this.distinctSources,
      distinct_destinations: this.distinctDestinations,
      distinct_conversations: this.distinctConversations,
      distinct_flows: this.distinctFlows,
    } = this.set.distinct);
    this.nameStrings = new KeyTable(DNS_NAME_KEY_WORDS, 0, { initialCapacity: k * 4, maxSize: k * 4 });
  }

  add(d: DecodedPacket): number {
    const cls = classify(d);
    this.counters.add(d, cls);
    if (d.hasSource) {
      this.addAddresses(d, d.wireLength);
      this.fanout.add(d);
    }
    if (d.isDns && !d.dnsResponse && d.dnsQtype >= 0) this.addDnsName(d);
    return cls;
  }

  figures(): SummaryFigures {
    return {
      ...this.counters.fill(),
      cardinalities: this.set.cardinalities(),
      fanout: this.fanout.section(FANOUT_SOURCES),
    };
  }

  view(topN: number): SummaryView {
    return { ...this.figures(), top: this.sketches().topLists(topN) };
  }

  /** The live sketches, with the names of the DNS-name sketch's keys: valid until the next add() or reset(). */
  sketches(): SketchSet {
    return new SketchSet(this.set.top, this.set.distinct, new Map(Object.entries(this.dnsNameStrings())));
  }

  reset(): void {
    this.counters.reset();
    for (const s of Object.values(this.set.top)) s.clear();
    for (const h of Object.values(this.set.distinct)) h.clear();
    this.nameStrings.clear();
    this.names = [];
    this.fanout.reset();
  }

  private addAddresses(d: DecodedPacket, wireLength: number): void {
    const src = this.sources.key;
    writeSourceKey(d, src);
    this.sources.offer(wireLength, 1);
    this.distinctSources.addKey(src, ADDRESS_WORDS);
    const flow = this.flowKey;
    this.distinctFlows.addKey(flow, writeFlowKey(d, flow));
    if (!d.hasDestination) return;
    const dst = this.destinations.key;
    writeDestinationKey(d, dst);
    this.destinations.offer(wireLength, 1);
    this.distinctDestinations.addKey(dst, ADDRESS_WORDS);

    const conv = this.conversations.key;
    writeConversationKey(src, 0, dst, 0, conv);
    this.conversations.offer(wireLength, 1);
    this.distinctConversations.addKey(conv, CONVERSATION_KEY_WORDS);

    if (writePortKey(d, this.ports.key)) this.ports.offer(wireLength, 1);
  }

  private addDnsName(d: DecodedPacket): void {
    const key = this.dnsNames.key;
    dnsNameKey(d, key);
    this.dnsNames.offer(1, 1);
    const t = this.nameStrings;
    t.key.set(key);
    let slot = t.findOrInsert();
    if (slot < 0) {
      this.compactNames();
      t.key.set(key);
      slot = t.findOrInsert();
    }
    if (t.inserted) this.names[slot] = nameToString(d.dnsName, d.dnsNameLength);
  }

  /** The names of the DNS-name sketch's monitored keys, by `keyHex(key)`. */
  private dnsNameStrings(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.dnsNames.entries()) out[keyHex(e.key)] = this.dnsNameOf(e.key);
    return out;
  }

  /** Keeps only the strings of names the sketch still monitors. */
  private compactNames(): void {
    const keep = this.dnsNames.entries().map((e) => ({ key: e.key, name: this.dnsNameOf(e.key) }));
    this.nameStrings.clear();
    this.names = [];
    for (const { key, name } of keep) {
      this.nameStrings.key.set(key);
      this.names[this.nameStrings.findOrInsert()] = name;
    }
  }

  private dnsNameOf(key: Uint32Array): string {
    this.nameStrings.key.set(key);
    const slot = this.nameStrings.find();
    return slot >= 0 ? this.names[slot] : '?';
  }
}
