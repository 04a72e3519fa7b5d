import type { AlertNotification } from '@wirewatch/notify';
import { alertLine as alertPointLine } from '@wirewatch/influx';
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

/** The `alerts` point of a transition (built by packages/influx, docs/influxdb-schema.md). */
export function alertLine(t: AlertTransition): string {
  return alertPointLine({ ...t, summary: summaryOf(t) });
}

function round(x: number): number {
  return Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 1000) / 1000;
}
