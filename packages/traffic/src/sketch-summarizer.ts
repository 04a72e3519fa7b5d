import { NET_IPV4, type DecodedPacket } from '@wirewatch/packet';
import { ADDRESS_WORDS } from './address-key.js';
import { BasicCounters } from './basic-counters.js';
import { dnsNameKey, nameToString } from './dns-names.js';
import { classify } from './protocol-class.js';
import { HyperLogLog } from './sketch/hyperloglog.js';
import { SpaceSaving } from './sketch/space-saving.js';
import { CONVERSATION_KEY_WORDS, DNS_NAME_KEY_WORDS, PORT_KEY_WORDS, conversationList, hostList, keyHex, portList } from './sketch-lists.js';
import type { TrafficSummarizer } from './summarizer.js';
import type { TrafficSummary } from './summary.js';
import { KeyTable } from './table/key-table.js';
import { FanoutCounter } from './fanout-counter.js';

export interface SketchOptions {
  /** Counters per top-N sketch (Space-Saving k); memory and accuracy grow with it. Default 512. */
  capacity?: number;
  /** HyperLogLog precision p (2^p one-byte registers); standard error 1.04/sqrt(2^p). Default 12 (1.6%). */
  precision?: number;
}

const CONVERSATION_WORDS = CONVERSATION_KEY_WORDS;
const TCP = 6;
const UDP = 17;

/**
 * The sensor's summarizer: the same summary as ExactSummarizer, with memory fixed at construction
 * whatever the traffic. Top lists come from Space-Saving (counts are upper bounds, exact while fewer
 * keys than counters were seen); cardinalities are HyperLogLog estimates. Every sketch merges with
 * its peers of other intervals and sensors.
 */
export class SketchSummarizer implements TrafficSummarizer {
  readonly counters = new BasicCounters();
  readonly sources: SpaceSaving;
  readonly destinations: SpaceSaving;
  readonly conversations: SpaceSaving;
  readonly ports: SpaceSaving;
  readonly dnsNames: SpaceSaving;
  readonly distinctSources: HyperLogLog;
  readonly distinctDestinations: HyperLogLog;
  readonly distinctConversations: HyperLogLog;
  readonly distinctFlows: HyperLogLog;
  /** Sources' fan-out (distinct ports and hosts they tried) for scan detection. */
  readonly fanout = new FanoutCounter();
  /** Strings of the DNS names the sketch may report, bounded: rebuilt from the sketch when full. */
  private readonly nameStrings: KeyTable;
  private names: string[] = [];
  private readonly flowKey = new Uint32Array(10);

  constructor(options: SketchOptions = {}) {
    const k = options.capacity ?? 512;
    const p = options.precision ?? 12;
    this.sources = new SpaceSaving(ADDRESS_WORDS, k);
    this.destinations = new SpaceSaving(ADDRESS_WORDS, k);
    this.conversations = new SpaceSaving(CONVERSATION_WORDS, k);
    this.ports = new SpaceSaving(PORT_KEY_WORDS, k);
    this.dnsNames = new SpaceSaving(DNS_NAME_KEY_WORDS, k);
    this.distinctSources = new HyperLogLog(p);
    this.distinctDestinations = new HyperLogLog(p);
    this.distinctConversations = new HyperLogLog(p);
    this.distinctFlows = new HyperLogLog(p);
    this.nameStrings = new KeyTable(3, 0, { initialCapacity: k * 4, maxSize: k * 4 });
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

  summary(topN: number): TrafficSummary {
    const { queries, responses, nxdomain, rcodes, qtypes, ...counters } = this.counters.fill();
    return {
      ...counters,
      top_sources: hostList(this.sources, topN),
      top_destinations: hostList(this.destinations, topN),
      top_conversations: conversationList(this.conversations, topN),
      top_ports: portList(this.ports, topN),
      cardinalities: {
        sources: Math.round(this.distinctSources.estimate()),
        destinations: Math.round(this.distinctDestinations.estimate()),
        conversations: Math.round(this.distinctConversations.estimate()),
        flows: Math.round(this.distinctFlows.estimate()),
        exact: false,
      },
      dns: {
        queries,
        responses,
        nxdomain,
        rcodes,
        qtypes,
        top_names: this.dnsNames.entries(topN).map((e) => ({ name: this.dnsNameOf(e.key), queries: e.bytes })),
      },
    };
  }

  reset(): void {
    this.counters.reset();
    for (const s of [this.sources, this.destinations, this.conversations, this.ports, this.dnsNames]) s.clear();
    for (const h of [this.distinctSources, this.distinctDestinations, this.distinctConversations, this.distinctFlows]) h.clear();
    this.nameStrings.clear();
    this.names = [];
    this.fanout.reset();
  }

  private addAddresses(d: DecodedPacket, wireLength: number): void {
    const family = d.network === NET_IPV4 ? 4 : 6;
    const src = this.sources.key;
    writeAddress(src, family, d.src0, d.src1, d.src2, d.src3);
    this.sources.offer(wireLength, 1);
    this.distinctSources.addKey(src, ADDRESS_WORDS);
    if (!d.hasDestination) return;
    const dst = this.destinations.key;
    writeAddress(dst, family, d.dst0, d.dst1, d.dst2, d.dst3);
    this.destinations.offer(wireLength, 1);
    this.distinctDestinations.addKey(dst, ADDRESS_WORDS);

    const conv = this.conversations.key;
    const swap = compareWords(src, dst) > 0;
    const lo = swap ? dst : src;
    const hi = swap ? src : dst;
    conv[0] = family;
    for (let i = 1; i < ADDRESS_WORDS; i++) {
      conv[i] = lo[i];
      conv[ADDRESS_WORDS - 1 + i] = hi[i];
    }
    this.conversations.offer(wireLength, 1);
    this.distinctConversations.addKey(conv, CONVERSATION_WORDS);

    const portsKnown = d.hasPorts && !d.laterFragment;
    const flow = this.flowKey;
    flow[0] = (family << 16) | (d.ipProto & 0x1ff);
    for (let i = 1; i < ADDRESS_WORDS; i++) {
      flow[i] = src[i];
      flow[ADDRESS_WORDS - 1 + i] = dst[i];
    }
    flow[9] = portsKnown ? ((d.srcPort << 16) | d.dstPort) >>> 0 : 0;
    this.distinctFlows.addKey(flow, 10);
    if (portsKnown && (d.ipProto === TCP || d.ipProto === UDP)) {
      const p = this.ports.key;
      p[0] = d.ipProto;
      p[1] = d.srcPort < d.dstPort ? d.srcPort : d.dstPort;
      this.ports.offer(wireLength, 1);
    }
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

  /** The names of the DNS-name sketch's monitored keys, by `keyHex(key)`: what the wire carries beside the sketch. */
  dnsNameStrings(): Record<string, string> {
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

  dnsNameOf(key: Uint32Array): string {
    this.nameStrings.key.set(key);
    const slot = this.nameStrings.find();
    return slot >= 0 ? this.names[slot] : '?';
  }
}

function writeAddress(key: Uint32Array, family: number, w0: number, w1: number, w2: number, w3: number): void {
  key[0] = family;
  key[1] = w0;
  key[2] = w1;
  key[3] = w2;
  key[4] = w3;
}

function compareWords(a: Uint32Array, b: Uint32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
