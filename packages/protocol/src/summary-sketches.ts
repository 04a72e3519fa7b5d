import {
  HyperLogLog,
  SpaceSaving,
  conversationList,
  conversationsOf,
  hostList,
  hostsOf,
  keyHex,
  portList,
  portsOf,
  type Cardinalities,
  type ConversationEntry,
  type DnsNameEntry,
  type HostEntry,
  type PortEntry,
  type SketchSummarizer,
} from '@wirewatch/traffic';
import { SKETCH_MAX_CAPACITY, SKETCH_MAX_PRECISION, SKETCH_MIN_PRECISION, TOP_SKETCH_KEY_WORDS } from './limits.js';
import type { SummaryMessage } from './summary-message.js';

const TOP_SKETCHES = ['sources', 'destinations', 'conversations', 'ports', 'dns_names'] as const;
const DISTINCT_SKETCHES = ['distinct_sources', 'distinct_destinations', 'distinct_conversations', 'distinct_flows'] as const;

type TopName = (typeof TOP_SKETCHES)[number];
type DistinctName = (typeof DISTINCT_SKETCHES)[number];

export interface TopLists {
  sources: HostEntry[];
  destinations: HostEntry[];
  conversations: ConversationEntry[];
  ports: PortEntry[];
  dns_names: DnsNameEntry[];
}

/**
 * The sketches of one summary message, parsed; or the merge of several (other intervals, other
 * sensors). Top lists and cardinalities come out the same way whatever was merged in.
 */
export class SummarySketches {
  private constructor(
    readonly top: Record<TopName, SpaceSaving>,
    readonly distinct: Record<DistinctName, HyperLogLog>,
    readonly dnsNames: Map<string, string>,
  ) {}

  /**
   * Parses the base64 sketches of a validated message; throws naming the sketch that is malformed.
   * Every sketch's declared shape is checked against what a sensor can send before any is built.
   */
  static fromMessage(message: Pick<SummaryMessage, 'sketches' | 'dns_name_strings'>): SummarySketches {
    const bytes = checkedSketchBytes(message);
    const top = {} as Record<TopName, SpaceSaving>;
    for (const name of TOP_SKETCHES) top[name] = parse(name, bytes[name], SpaceSaving.deserialize);
    const distinct = {} as Record<DistinctName, HyperLogLog>;
    for (const name of DISTINCT_SKETCHES) distinct[name] = parse(name, bytes[name], HyperLogLog.deserialize);
    return new SummarySketches(top, distinct, new Map(Object.entries(message.dns_name_strings)));
  }

  static fromSummarizer(s: SketchSummarizer): SummarySketches {
    return new SummarySketches(
      { sources: s.sources, destinations: s.destinations, conversations: s.conversations, ports: s.ports, dns_names: s.dnsNames },
      {
        distinct_sources: s.distinctSources,
        distinct_destinations: s.distinctDestinations,
        distinct_conversations: s.distinctConversations,
        distinct_flows: s.distinctFlows,
      },
      new Map(Object.entries(s.dnsNameStrings())),
    );
  }

  /** The wire form: base64 of each sketch's binary form, plus the DNS names the sketch can report. */
  encode(): Pick<SummaryMessage, 'sketches' | 'dns_name_strings'> {
    const sketches = {} as SummaryMessage['sketches'];
    for (const name of TOP_SKETCHES) sketches[name] = toBase64(this.top[name].serialize());
    for (const name of DISTINCT_SKETCHES) sketches[name] = toBase64(this.distinct[name].serialize());
    const names: Record<string, string> = {};
    for (const e of this.top.dns_names.entries()) {
      const hex = keyHex(e.key);
      const name = this.dnsNames.get(hex);
      if (name !== undefined) names[hex] = name;
    }
    return { sketches, dns_name_strings: names };
  }

  /** An independent copy to merge others into (this one is left as it is). */
  clone(): SummarySketches {
    return SummarySketches.fromMessage(this.encode());
  }

  /** Whether `other` can be merged into this one (sensors configured with the same sketch sizes). */
  sameShape(other: SummarySketches): boolean {
    return this.top.sources.capacity === other.top.sources.capacity && this.distinct.distinct_sources.p === other.distinct.distinct_sources.p;
  }

  /** Merges `other` into this one; both must come from sensors with the same sketch sizes (`sameShape`). */
  merge(other: SummarySketches): this {
    for (const name of TOP_SKETCHES) this.top[name].merge(other.top[name]);
    for (const name of DISTINCT_SKETCHES) this.distinct[name].merge(other.distinct[name]);
    for (const [hex, name] of other.dnsNames) if (!this.dnsNames.has(hex)) this.dnsNames.set(hex, name);
    return this;
  }

  topLists(topN: number): TopLists {
    return {
      sources: hostList(this.top.sources, topN),
      destinations: hostList(this.top.destinations, topN),
      conversations: conversationList(this.top.conversations, topN),
      ports: portList(this.top.ports, topN),
      dns_names: this.top.dns_names
        .entries(topN)
        .map((e) => ({ name: this.dnsNames.get(keyHex(e.key)) ?? '?', queries: e.bytes })),
    };
  }

  cardinalities(): Cardinalities {
    return {
      sources: Math.round(this.distinct.distinct_sources.estimate()),
      destinations: Math.round(this.distinct.distinct_destinations.estimate()),
      conversations: Math.round(this.distinct.distinct_conversations.estimate()),
      flows: Math.round(this.distinct.distinct_flows.estimate()),
      exact: false,
    };
  }
}

/** Top lists straight from the serialized sketches (checksums and the distinct-count sketches checked too). */
export function readTopLists(message: Pick<SummaryMessage, 'sketches' | 'dns_name_strings'>, topN: number): TopLists {
  const bytes = checkedSketchBytes(message);
  const top = (name: TopName) => parse(name, bytes[name], (b) => SpaceSaving.readTop(b, topN));
  for (const name of DISTINCT_SKETCHES) parse(name, bytes[name], HyperLogLog.deserialize);
  return {
    sources: hostsOf(top('sources')),
    destinations: hostsOf(top('destinations')),
    conversations: conversationsOf(top('conversations')),
    ports: portsOf(top('ports')),
    dns_names: top('dns_names').map((e) => ({ name: message.dns_name_strings[keyHex(e.key)] ?? '?', queries: e.bytes })),
  };
}

function parse<T>(name: string, bytes: Uint8Array, deserialize: (bytes: Uint8Array) => T): T {
  try {
    return deserialize(bytes);
  } catch (error) {
    throw new SketchError(name, (error as Error).message);
  }
}

/**
 * The binary form of every sketch of a message, once each one's header (checksum included) declares
 * a shape a sensor can produce: its key layout, a capacity up to SKETCH_MAX_CAPACITY, a precision
 * within the sensor's range, and the same capacity (precision) across the message so merges line
 * up. Nothing is allocated for the sketches until all of this holds.
 */
function checkedSketchBytes(message: Pick<SummaryMessage, 'sketches'>): Record<TopName | DistinctName, Uint8Array> {
  const bytes = {} as Record<TopName | DistinctName, Uint8Array>;
  let capacity: number | undefined;
  for (const name of TOP_SKETCHES) {
    bytes[name] = Buffer.from(message.sketches[name], 'base64');
    const shape = parse(name, bytes[name], SpaceSaving.readShape);
    if (shape.keyWords !== TOP_SKETCH_KEY_WORDS[name]) throw new SketchError(name, `key words ${shape.keyWords}, expected ${TOP_SKETCH_KEY_WORDS[name]}`);
    if (shape.capacity < 1 || shape.capacity > SKETCH_MAX_CAPACITY) {
      throw new SketchError(name, `capacity ${shape.capacity} outside 1..${SKETCH_MAX_CAPACITY} (what a sensor can be configured with)`);
    }
    capacity ??= shape.capacity;
    if (shape.capacity !== capacity) throw new SketchError(name, `capacity ${shape.capacity} differs from sources' ${capacity}`);
  }
  let precision: number | undefined;
  for (const name of DISTINCT_SKETCHES) {
    bytes[name] = Buffer.from(message.sketches[name], 'base64');
    const p = parse(name, bytes[name], HyperLogLog.readPrecision);
    if (p < SKETCH_MIN_PRECISION || p > SKETCH_MAX_PRECISION) {
      throw new SketchError(name, `precision ${p} outside ${SKETCH_MIN_PRECISION}..${SKETCH_MAX_PRECISION}`);
    }
    precision ??= p;
    if (p !== precision) throw new SketchError(name, `precision ${p} differs from distinct_sources' ${precision}`);
  }
  return bytes;
}

export class SketchError extends Error {
  constructor(
    readonly sketch: string,
    detail: string,
  ) {
    super(`sketch ${sketch}: ${detail}`);
  }
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
