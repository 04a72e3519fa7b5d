import {
  DISTINCT_SKETCHES,
  HyperLogLog,
  SketchSet,
  SpaceSaving,
  TOP_SKETCHES,
  topListsOf,
  type DistinctSketchName,
  type SketchedSummary,
  type TopLists,
  type TopSketchName,
} from '@wirewatch/traffic';
import { SKETCH_MAX_CAPACITY, SKETCH_MAX_PRECISION, SKETCH_MIN_PRECISION, TOP_SKETCH_KEY_WORDS } from './limits.js';
import type { SummaryMessage } from './summary-message.js';

export type { TopLists };

/**
 * The sketches of one summary message, parsed; or the merge of several (other intervals, other
 * sensors): traffic's SketchSet with its wire form. Top lists and cardinalities come out the same
 * way whatever was merged in.
 */
export class SummarySketches extends SketchSet {
  /**
   * Parses the base64 sketches of a validated message; throws naming the sketch that is malformed.
   * Every sketch's declared shape is checked against what a sensor can send before any is built.
   */
  static fromMessage(message: Pick<SummaryMessage, 'sketches' | 'dns_name_strings'>): SummarySketches {
    const bytes = checkedSketchBytes(message);
    const top = {} as Record<TopSketchName, SpaceSaving>;
    for (const name of TOP_SKETCHES) top[name] = parse(name, bytes[name], (b) => SpaceSaving.deserialize(b));
    const distinct = {} as Record<DistinctSketchName, HyperLogLog>;
    for (const name of DISTINCT_SKETCHES) distinct[name] = parse(name, bytes[name], (b) => HyperLogLog.deserialize(b));
    return new SummarySketches(top, distinct, new Map(Object.entries(message.dns_name_strings)));
  }

  /** The sketches of a summarizer's interval (they stay the summarizer's: clone before it counts on). */
  static fromSummarizer(summary: SketchedSummary): SummarySketches {
    const set = summary.sketches();
    return new SummarySketches(set.top, set.distinct, set.dnsNames);
  }

  /** The wire form: base64 of each sketch's binary form, plus the DNS names the sketch can report. */
  encode(): Pick<SummaryMessage, 'sketches' | 'dns_name_strings'> {
    return encodeSketches(this);
  }

  /** An independent copy to merge others into (this one is left as it is). */
  clone(): SummarySketches {
    return SummarySketches.fromMessage(this.encode());
  }
}

/** The wire form of a sketch set: base64 of each sketch's binary form, plus the DNS names the sketch can report. */
export function encodeSketches(set: SketchSet): Pick<SummaryMessage, 'sketches' | 'dns_name_strings'> {
  const sketches = {} as SummaryMessage['sketches'];
  for (const name of TOP_SKETCHES) sketches[name] = toBase64(set.top[name].serialize());
  for (const name of DISTINCT_SKETCHES) sketches[name] = toBase64(set.distinct[name].serialize());
  return { sketches, dns_name_strings: set.dnsNameStrings() };
}

/** Top lists straight from the serialized sketches (checksums and the distinct-count sketches checked too). */
export function readTopLists(message: Pick<SummaryMessage, 'sketches' | 'dns_name_strings'>, topN: number): TopLists {
  const bytes = checkedSketchBytes(message);
  const top = (name: TopSketchName) => parse(name, bytes[name], (b) => SpaceSaving.readTop(b, topN));
  for (const name of DISTINCT_SKETCHES) parse(name, bytes[name], (b) => HyperLogLog.deserialize(b));
  const hitters = {
    sources: top('sources'),
    destinations: top('destinations'),
    conversations: top('conversations'),
    ports: top('ports'),
    dns_names: top('dns_names'),
  };
  return topListsOf(hitters, (hex) => message.dns_name_strings[hex]);
}

function parse<T>(name: string, bytes: Uint8Array, deserialize: (bytes: Uint8Array) => T): T {
  try {
    return deserialize(bytes);
  } catch (error) {
    throw new SketchError(name, error instanceof Error ? error.message : String(error));
  }
}

/**
 * The binary form of every sketch of a message, once each one's header (checksum included) declares
 * a shape a sensor can produce: its key layout, a capacity up to SKETCH_MAX_CAPACITY, a precision
 * within the sensor's range, and the same capacity (precision) across the message so merges line
 * up. Nothing is allocated for the sketches until all of this holds.
 */
function checkedSketchBytes(
  message: Pick<SummaryMessage, 'sketches'>,
): Record<TopSketchName | DistinctSketchName, Uint8Array> {
  const bytes = {} as Record<TopSketchName | DistinctSketchName, Uint8Array>;
  let capacity: number | undefined;
  for (const name of TOP_SKETCHES) {
    bytes[name] = Buffer.from(message.sketches[name], 'base64');
    const shape = parse(name, bytes[name], (b) => SpaceSaving.readShape(b));
    if (shape.keyWords !== TOP_SKETCH_KEY_WORDS[name])
      throw new SketchError(name, `key words ${shape.keyWords}, expected ${TOP_SKETCH_KEY_WORDS[name]}`);
    if (shape.capacity < 1 || shape.capacity > SKETCH_MAX_CAPACITY) {
      throw new SketchError(
        name,
        `capacity ${shape.capacity} outside 1..${SKETCH_MAX_CAPACITY} (what a sensor can be configured with)`,
      );
    }
    capacity ??= shape.capacity;
    if (shape.capacity !== capacity)
      throw new SketchError(name, `capacity ${shape.capacity} differs from sources' ${capacity}`);
  }
  let precision: number | undefined;
  for (const name of DISTINCT_SKETCHES) {
    bytes[name] = Buffer.from(message.sketches[name], 'base64');
    const p = parse(name, bytes[name], (b) => HyperLogLog.readPrecision(b));
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
