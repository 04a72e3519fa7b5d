import type { DecodedPacket } from '@wirewatch/packet';
import type { BasicCounters } from './basic-counters.js';
import type { SketchSet } from './sketch-set.js';
import type { SummaryFigures, SummaryView } from './summary.js';

/**
 * Counts decoded packets into a SummaryView. `analyze` uses the exact implementation; the sensor
 * uses the bounded one (Space-Saving, HyperLogLog), whose memory does not grow with traffic.
 */
export interface TrafficSummarizer {
  /** The fixed counters (totals, classes, flags, ...): read without building a view. */
  readonly counters: BasicCounters;
  /** Counts one decoded frame (with its timestamp and lengths); returns its class number (see PROTOCOL_CLASSES). */
  add(d: DecodedPacket): number;
  /** What was counted since the last reset, with top lists of at most `topN` entries. */
  view(topN: number): SummaryView;
  reset(): void;
}

/**
 * A summary whose top lists and distinct counts are sketches: what the wire codec encodes. Its
 * figures travel as numbers, its sketches as themselves (so they can be merged downstream).
 */
export interface SketchedSummary {
  figures(): SummaryFigures;
  sketches(): SketchSet;
}
