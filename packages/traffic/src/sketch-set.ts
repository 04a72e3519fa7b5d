import {
  CONVERSATION_KEY_WORDS,
  DNS_NAME_KEY_WORDS,
  PORT_KEY_WORDS,
  SOURCE_KEY_WORDS,
  keyHex,
  topListsOf,
} from './key-layout.js';
import { HyperLogLog } from './sketch/hyperloglog.js';
import { SpaceSaving } from './sketch/space-saving.js';
import type { Cardinalities, TopListName, TopLists } from './summary.js';

/** The top-list sketches, one per top list (Space-Saving by bytes). */
export const TOP_SKETCHES = [
  'sources',
  'destinations',
  'conversations',
  'ports',
  'dns_names',
] as const satisfies readonly TopListName[];
/** The distinct-count sketches (HyperLogLog), one per cardinality. */
export const DISTINCT_SKETCHES = [
  'distinct_sources',
  'distinct_destinations',
  'distinct_conversations',
  'distinct_flows',
] as const;

export type TopSketchName = (typeof TOP_SKETCHES)[number];
export type DistinctSketchName = (typeof DISTINCT_SKETCHES)[number];

/** Key words of each top-list sketch (key-layout.ts). */
export const TOP_SKETCH_KEY_WORDS: Readonly<Record<TopSketchName, number>> = {
  sources: SOURCE_KEY_WORDS,
  destinations: SOURCE_KEY_WORDS,
  conversations: CONVERSATION_KEY_WORDS,
  ports: PORT_KEY_WORDS,
  dns_names: DNS_NAME_KEY_WORDS,
};

export interface SketchShape {
  /** Counters per top-list sketch (Space-Saving k). */
  capacity: number;
  /** HyperLogLog precision p. */
  precision: number;
}

/**
 * The mergeable half of a summary: its top lists and distinct counts as sketches, and the names of
 * the DNS-name sketch's keys (by `keyHex`). A sensor's summarizer hands out its live set; a decoded
 * message or a fleet merge holds its own. Top lists and cardinalities come out the same way
 * whatever was merged in.
 */
export class SketchSet {
  constructor(
    readonly top: Record<TopSketchName, SpaceSaving>,
    readonly distinct: Record<DistinctSketchName, HyperLogLog>,
    readonly dnsNames: Map<string, string>,
  ) {}

  /** Empty sketches of the given shape. */
  static create(shape: SketchShape): SketchSet {
    const top = {} as Record<TopSketchName, SpaceSaving>;
    for (const name of TOP_SKETCHES) top[name] = new SpaceSaving(TOP_SKETCH_KEY_WORDS[name], shape.capacity);
    const distinct = {} as Record<DistinctSketchName, HyperLogLog>;
    for (const name of DISTINCT_SKETCHES) distinct[name] = new HyperLogLog(shape.precision);
    return new SketchSet(top, distinct, new Map());
  }

  /** Whether `other` can be merged into this one (sensors configured with the same sketch sizes). */
  sameShape(other: SketchSet): boolean {
    return (
      this.top.sources.capacity === other.top.sources.capacity &&
      this.distinct.distinct_sources.p === other.distinct.distinct_sources.p
    );
  }

  /** Merges `other` into this one; both must have the same shape (`sameShape`). */
  merge(other: SketchSet): this {
    for (const name of TOP_SKETCHES) this.top[name].merge(other.top[name]);
    for (const name of DISTINCT_SKETCHES) this.distinct[name].merge(other.distinct[name]);
    for (const [hex, name] of other.dnsNames) if (!this.dnsNames.has(hex)) this.dnsNames.set(hex, name);
    return this;
  }

  topLists(topN: number): TopLists {
    const t = this.top;
    const hitters = {
      sources: t.sources.entries(topN),
      destinations: t.destinations.entries(topN),
      conversations: t.conversations.entries(topN),
      ports: t.ports.entries(topN),
      dns_names: t.dns_names.entries(topN),
    };
    return topListsOf(hitters, (hex) => this.dnsNames.get(hex));
  }

  cardinalities(): Cardinalities {
    const d = this.distinct;
    return {
      sources: Math.round(d.distinct_sources.estimate()),
      destinations: Math.round(d.distinct_destinations.estimate()),
      conversations: Math.round(d.distinct_conversations.estimate()),
      flows: Math.round(d.distinct_flows.estimate()),
      exact: false,
    };
  }

  /** The names of the DNS-name sketch's monitored keys, by hex key: what travels beside the sketch. */
  dnsNameStrings(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.top.dns_names.entries()) {
      const hex = keyHex(e.key);
      const name = this.dnsNames.get(hex);
      if (name !== undefined) out[hex] = name;
    }
    return out;
  }
}
