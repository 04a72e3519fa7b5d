import { createHash } from 'node:crypto';
import { escapeStringField, numberFields, tagSet } from './line-protocol.js';
import { MEASUREMENT } from './schema.js';

/** One alert transition as the `alerts` measurement stores it (the alerter's AlertTransition plus its one-line summary). */
export interface AlertPoint {
  rule: string;
  severity: string;
  state: string;
  dedupKey: string;
  /** What and where, in one line. */
  summary: string;
  value: number | null;
  threshold: number | null;
  repeat: boolean;
  silenced: boolean;
  /** ms since the epoch. */
  at: number;
}

/** The `alerts` measurement: one point per transition, for Grafana annotations (docs/influxdb-schema.md). */
export function alertLine(a: AlertPoint): string {
  const tags = tagSet([
    ['rule', a.rule],
    ['severity', a.severity],
    ['state', a.state],
  ]);
  const fields =
    `dedup_key=${escapeStringField(a.dedupKey)},summary=${escapeStringField(a.summary)},` +
    numberFields([
      ['value', a.value ?? NaN],
      ['threshold', a.threshold ?? NaN],
      ['repeat', a.repeat ? 1 : 0],
      ['silenced', a.silenced ? 1 : 0],
    ]);
  return `${MEASUREMENT.alerts}${tags} ${fields} ${alertTimestampNs(a)}`;
}

/**
 * The transition's time in nanoseconds, with the sub-millisecond digits taken from the dedup key: two
 * alerts of one rule and state in the same millisecond (a scan seen by two sensors in one batch) keep
 * both their points, and a retried write of the same transition still overwrites itself.
 */
export function alertTimestampNs(a: Pick<AlertPoint, 'at' | 'dedupKey'>): string {
  const digest = createHash('sha256').update(a.dedupKey).digest();
  return `${a.at}${String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0')}`;
}
