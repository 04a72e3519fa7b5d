export type AlertState = 'firing' | 'resolved';
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** What every receiver sends for one alert transition (firing, a repeat of a firing alert, resolved). */
export interface AlertNotification {
  state: AlertState;
  /** Rule name. */
  rule: string;
  severity: AlertSeverity;
  /** One line saying what, e.g. "bytes/s on edge-1 eth0 above 50 MB/s". */
  summary: string;
  /** Rule labels plus the group-by values (sensor, interface, source...). */
  labels: Record<string, string>;
  /** Rule + group: the same for the firing, the repeats and the resolved notification of one incident. */
  dedupKey: string;
  /** ISO time the incident started firing. */
  since: string;
  /** ISO time of this notification. */
  at: string;
  /** Current value (for a resolved alert: the value that resolved it). */
  value: number;
  threshold: number;
  /** Unit of value and threshold, e.g. "B/s", "bit/s", "packets/s", "%". */
  unit?: string;
  /** Link to the Grafana dashboard. */
  dashboardUrl?: string;
}
