import { Gauge, type Registry } from 'prom-client';

/** One sample of an observed metric: its labels and value. */
export type Sample = [labels: Record<string, string>, value: number];

/**
 * A metric read from the service's own counters at scrape time, so nothing is counted twice. A
 * cumulative value gets a `_total` name, as the exposition format expects of counters.
 */
export function observeMetric(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Sample[],
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}
