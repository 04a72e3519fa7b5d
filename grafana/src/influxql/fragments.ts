/**
 * Pieces of InfluxQL the dashboards share. Counts are stored per summary interval (docs/influxdb-schema.md),
 * so a per-second rate is the bucket's sum divided by the bucket's length: `$__interval_ms` is that length.
 * Grafana's minimum interval (the data source's `timeInterval`, 1 s) keeps a bucket from being shorter than
 * a summary interval.
 */

/** The sensors and interfaces chosen in the dashboard's variables (multi-value: Grafana writes `(a|b)`). */
export const SELECTED_INTERFACES = `"sensor" =~ /^$sensor$/ AND "interface" =~ /^$interface$/`;
export const SELECTED_SENSORS = `"sensor" =~ /^$sensor$/`;

export const PER_BUCKET = 'GROUP BY time($__interval)';

/** `sum(field)` over a bucket, as a rate per second. */
export function perSecond(field: string, factor = 1): string {
  return `sum("${field}") * ${1000 * factor} / $__interval_ms`;
}

export function where(...conditions: string[]): string {
  return `WHERE $timeFilter AND ${conditions.join(' AND ')}`;
}
