import type { DecodedPacket } from '@wirewatch/packet';
import type { TrafficSummary } from './summary.js';

/**
 * Counts decoded packets into a TrafficSummary. `analyze` uses the exact implementation; the
 * sensor uses the bounded one (Space-Saving, HyperLogLog), whose memory does not grow with traffic.
 */
export interface TrafficSummarizer {
  /** Counts one decoded frame (with its timestamp and lengths); returns its class number (see PROTOCOL_CLASSES). */
  add(d: DecodedPacket): number;
  summary(topN: number): TrafficSummary;
  reset(): void;
}
