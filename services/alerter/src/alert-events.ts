import { createHash } from 'node:crypto';
import type { AlertNotification } from '@wirewatch/notify';
import { escapeStringField, numberFields, tagSet } from '@wirewatch/influx';
import { PROTOCOL_VERSION, type AlertMessage } from '@wirewatch/protocol';
import type { AlertTransition } from '@wirewatch/rules';

/** "rule on sensor=edge-1 interface=eth0: 72 (threshold 50)": what and where, in one line. */
export function summaryOf(t: AlertTransition): string {
  const where = Object.entries(t.group)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const value = t.value === null ? 'no data' : `${round(t.value)}`;
  const threshold = t.threshold === null ? '' : ` (threshold ${round(t.threshold)})`;
  return `${t.description ?? t.rule}${where ? ` on ${where}` : ''}: ${value}${threshold}`;
}

export function alertMessage(t: AlertTransition): AlertMessage {
  return {
    type: 'alert',
    version: PROTOCOL_VERSION,
    rule: t.rule,
    state: t.state,
    repeat: t.repeat,
    silenced: t.silenced,
    severity: t.severity,
    dedup_key: t.dedupKey,
    labels: t.labels,
    summary: summaryOf(t),
    value: t.value ?? 0,
    threshold: t.threshold ?? 0,
    since: new Date(t.since).toISOString(),
    at: new Date(t.at).toISOString(),
  };
}

export function notificationOf(t: AlertTransition, dashboardUrl: string | undefined): AlertNotification {
  return {
    state: t.state === 'resolved' ? 'resolved' : 'firing',
    rule: t.rule,
    severity: t.severity,
    summary: summaryOf(t),
    labels: t.labels,
    dedupKey: t.dedupKey,
    since: new Date(t.since).toISOString(),
    at: new Date(t.at).toISOString(),
    value: t.value ?? 0,
    threshold: t.threshold ?? 0,
    dashboardUrl,
  };
}

/** The `alerts` measurement: one point per transition, for Grafana annotations (docs/influxdb-schema.md). */
export function alertLine(t: AlertTransition): string {
  const tags = tagSet([
    ['rule', t.rule],
    ['severity', t.severity],
    ['state', t.state],
  ]);
  const fields =
    `dedup_key=${escapeStringField(t.dedupKey)},summary=${escapeStringField(summaryOf(t))},` +
    numberFields([
      ['value', t.value ?? NaN],
      ['threshold', t.threshold ?? NaN],
      ['repeat', t.repeat ? 1 : 0],
      ['silenced', t.silenced ? 1 : 0],
    ]);
  return `alerts${tags} ${fields} ${alertTimestampNs(t)}`;
}

/**
 * The transition's time in nanoseconds, with the sub-millisecond digits taken from the dedup key: two
 * alerts of one rule and state in the same millisecond (a scan seen by two sensors in one batch) keep
 * both their points, and a retried write of the same transition still overwrites itself.
 */
export function alertTimestampNs(t: Pick<AlertTransition, 'at' | 'dedupKey'>): string {
  const digest = createHash('sha256').update(t.dedupKey).digest();
  return `${t.at}${String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0')}`;
}

function round(x: number): number {
  return Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 1000) / 1000;
}
