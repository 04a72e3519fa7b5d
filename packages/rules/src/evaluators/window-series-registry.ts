import type { SummaryMessage, TopLists } from '@wirewatch/protocol';
import { GroupKeys } from '../group-keys.js';
import { resolveMetric } from '../metrics.js';
import type { EvaluatorLimits } from './evaluator.js';
import { seriesSignature, WindowSeries, type SeriesMember, type WindowedRule } from './window-series.js';

/**
 * The engine's shared window series, by signature and cohort. A cohort keeps apart rules whose
 * history differs although they read alike: a rule added by a reload starts with no buckets while
 * an unchanged one keeps its own.
 */
export class WindowSeriesRegistry {
  private series = new Map<string, WindowSeries>();
  /** One GroupKeys per label set: its one-entry memo then serves every series of that grouping. */
  private readonly keysByNames = new Map<string, GroupKeys>();

  constructor(private readonly limits: EvaluatorLimits) {}

  seriesFor(rule: WindowedRule, cohort: string): WindowSeries {
    const keys = this.keysOf(rule);
    const id = `${seriesSignature(rule, keys)} cohort ${cohort}`;
    let series = this.series.get(id);
    if (series === undefined) {
      series = new WindowSeries(rule, keys, this.limits);
      this.series.set(id, series);
    }
    return series;
  }

  /** Drops the rules no longer evaluated, and the series left without rules. */
  retain(members: ReadonlySet<SeriesMember>): void {
    for (const [id, series] of this.series) {
      series.retain(members);
      if (series.memberCount === 0) this.series.delete(id);
    }
  }

  clear(): void {
    this.series.clear();
  }

  observeSummary(summary: SummaryMessage, top: TopLists, at: number): void {
    for (const series of this.series.values()) series.observeSummary(summary, top, at);
  }

  tick(at: number): void {
    for (const series of this.series.values()) series.tick(at);
  }

  private keysOf(rule: WindowedRule): GroupKeys {
    const metric = 'metric' in rule ? resolveMetric(rule.metric) : null;
    const dimension = typeof metric === 'object' && metric?.kind === 'keyed' ? metric.dimension : null;
    const probe = new GroupKeys('', rule.group_by, dimension);
    const id = `${probe.names.join(',')} extra ${dimension ?? ''}`;
    let keys = this.keysByNames.get(id);
    if (keys === undefined) {
      keys = probe;
      this.keysByNames.set(id, keys);
    }
    return keys;
  }
}
