import type { HeartbeatMessage, SummaryMessage, TopLists } from '@wirewatch/protocol';
import type { AlertBook } from '../alert-book.js';
import type { AlertTransition } from '../alert-transition.js';
import { durationMs } from '../rule-schema.js';
import { aggregateOf } from '../window.js';
import type { RuleEvaluator, RuleStats } from './evaluator.js';
import type { SeriesMember, WindowedRule, WindowSeries, WindowView } from './window-series.js';

export type { WindowedRule } from './window-series.js';

/**
 * threshold, rate_of_change, distinct_count, ratio and drop_rate: each summary adds one interval
 * bucket per group; the group's value over its window is compared with above/below (clear).
 *
 * A group that includes sensor and interface gets exactly one summary per interval and is judged at
 * once. A coarser group (the whole fleet, one sensor's interfaces, a source seen by several sensors)
 * collects an interval's summaries and is judged as soon as as many arrived as in its previous
 * interval, else when a later interval arrives for it or at the first tick `settleMs` after the
 * interval's end. A summary of an interval already judged is counted (`lateDropped`), not added.
 *
 * The buckets live in a WindowSeries shared with the rules that read the same numbers alike; the
 * engine feeds the series first, then calls this evaluator, which hands out what the series judged
 * for it (so transitions come out in rule order, as if each rule had its own buckets).
 */
export class WindowedEvaluator implements RuleEvaluator, SeriesMember {
  readonly windowMs: number | null;
  readonly needsPrevious: boolean;
  view: WindowView | null = null;
  private readonly threshold: number;
  private pending: AlertTransition[] = [];

  constructor(
    private readonly rule: WindowedRule,
    readonly book: AlertBook,
    readonly series: WindowSeries,
  ) {
    this.windowMs = rule.window === undefined ? null : durationMs(rule.window);
    this.needsPrevious = rule.kind === 'rate_of_change';
    this.threshold = rule.kind === 'drop_rate' ? rule.above : (rule.above ?? rule.below!);
    series.join(this);
  }

  observeSummary(_s: SummaryMessage, _top: TopLists, _at: number, out: AlertTransition[]): void {
    this.handOut(out);
  }

  observeHeartbeat(_h: HeartbeatMessage, _at: number, out: AlertTransition[]): void {
    this.handOut(out);
  }

  tick(_at: number, out: AlertTransition[]): void {
    this.handOut(out);
  }

  private handOut(out: AlertTransition[]): void {
    if (this.pending.length === 0) return;
    for (const t of this.pending) out.push(t);
    this.pending = [];
  }

  judge(suffix: string, labels: Record<string, string>, at: number): void {
    const value = this.valueOf(this.view!);
    // An empty book turns an inactive judgement into nothing: skip building the key.
    if (this.book.size === 0 && !this.isActive(value, false)) return;
    const key = this.rule.name + suffix;
    const wasActive = this.book.isActive(key);
    this.book.judge(key, labels, this.isActive(value, wasActive), value, this.threshold, at, this.pending);
  }

  holdsAlert(suffix: string): boolean {
    return this.book.size > 0 && this.book.isActive(this.rule.name + suffix);
  }

  quiet(suffix: string, labels: Record<string, string>, at: number): void {
    if (this.book.size === 0) return;
    this.book.judge(this.rule.name + suffix, labels, false, null, this.threshold, at, this.pending);
  }

  private valueOf(view: WindowView): number | null {
    const rule = this.rule;
    const sums = view.sums;
    switch (rule.kind) {
      case 'threshold':
      case 'distinct_count':
        return aggregateOf(sums, rule.aggregate);
      case 'rate_of_change': {
        const now = aggregateOf(sums, rule.aggregate);
        const before = aggregateOf(view.before, rule.aggregate);
        if (now === null || before === null || before === 0 || before < rule.min_base) return null;
        return ((now - before) / before) * 100;
      }
      case 'ratio':
        return sums.n === 0 || sums.b === 0 || sums.b < rule.min_denominator ? null : sums.a / sums.b;
      case 'drop_rate':
        return sums.n === 0 || sums.b === 0 || sums.b < rule.min_packets ? null : sums.a / sums.b;
    }
  }

  /** Above (below) the threshold to start; once active, until the value falls to (rises to) `clear`. */
  private isActive(value: number | null, wasActive: boolean): boolean {
    if (value === null) return false;
    const rule = this.rule;
    const clear = wasActive ? rule.clear : undefined;
    if (rule.kind === 'drop_rate' || rule.above !== undefined) return value > (clear ?? rule.above!);
    return value < (clear ?? rule.below!);
  }

  /** Nothing of its own: the buckets live in the shared series, which the engine persists once. */
  snapshot(): null {
    return null;
  }

  restore(): void {}

  stats(): RuleStats {
    const { groupsRefused, groupsEvicted, lateDropped } = this.series.counters;
    return { groups: this.series.size, groupsRefused, groupsEvicted, lateDropped, forgotten: 0, alertsSuppressed: 0 };
  }
}
