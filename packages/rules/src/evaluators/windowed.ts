import type { HeartbeatMessage, SummaryMessage, TopLists } from '@wirewatch/protocol';
import type { AlertBook } from '../alert-book.js';
import type { AlertTransition } from '../alert-transition.js';
import { GroupKeys } from '../group-keys.js';
import { resolveMetric, type KeyedMetric, type StreamMetric } from '../metrics.js';
import { durationMs, type DistinctCountRule, type DropRateRule, type RateOfChangeRule, type RatioRule, type ThresholdRule } from '../rule-schema.js';
import { aggregateOf, pruneBuckets, sumWindow, type Bucket, type WindowSums } from '../window.js';
import { emptyStats, type EvaluatorLimits, type RuleEvaluator, type RuleStats } from './evaluator.js';

export type WindowedRule = ThresholdRule | RateOfChangeRule | DistinctCountRule | RatioRule | DropRateRule;

interface WindowGroup {
  labels: Record<string, string>;
  /** Judged intervals, oldest first. */
  buckets: Bucket[];
  /** The interval still collecting summaries (groups spanning several sensor interfaces only). */
  open: Bucket | null;
  lastSeenAt: number;
}

type BucketTuple = [start: number, end: number, a: number, b: number, n: number];
interface GroupState {
  key: string;
  labels: Record<string, string>;
  buckets: BucketTuple[];
  open: BucketTuple | null;
  lastSeenAt: number;
}

/**
 * threshold, rate_of_change, distinct_count, ratio and drop_rate: each summary adds one interval
 * bucket per group; the group's value over its window is compared with above/below (clear).
 *
 * A group that includes sensor and interface gets exactly one summary per interval and is judged at
 * once. A coarser group (the whole fleet, one sensor's interfaces, a source seen by several sensors)
 * collects an interval's summaries and is judged as soon as as many arrived as in its previous
 * interval, else when a later interval arrives for it or at the first tick `settleMs` after the
 * interval's end. A summary of an interval already judged is counted (`lateDropped`), not added.
 */
export class WindowedEvaluator implements RuleEvaluator {
  private readonly groups = new Map<string, WindowGroup>();
  private readonly keys: GroupKeys;
  private readonly immediate: boolean;
  private readonly windowMs: number | null;
  private readonly metric: StreamMetric | KeyedMetric | null;
  private readonly numerator: StreamMetric | null;
  private readonly denominator: StreamMetric | null;
  private readonly counters: RuleStats = emptyStats();
  private readonly sums: WindowSums = { a: 0, b: 0, maxA: 0, n: 0 };
  private readonly previous: WindowSums = { a: 0, b: 0, maxA: 0, n: 0 };
  // The summary being visited by a keyed metric (avoids a closure per summary).
  private current: SummaryMessage | null = null;
  private currentAt = 0;
  private currentOut: AlertTransition[] = [];

  constructor(
    private readonly rule: WindowedRule,
    readonly book: AlertBook,
    private readonly limits: EvaluatorLimits,
  ) {
    this.windowMs = rule.window === undefined ? null : durationMs(rule.window);
    this.metric = 'metric' in rule ? (resolveMetric(rule.metric) as StreamMetric | KeyedMetric) : null;
    this.numerator = rule.kind === 'ratio' ? (resolveMetric(rule.numerator) as StreamMetric) : null;
    this.denominator = rule.kind === 'ratio' ? (resolveMetric(rule.denominator) as StreamMetric) : null;
    const dimension = this.metric?.kind === 'keyed' ? this.metric.dimension : null;
    this.keys = new GroupKeys(rule.name, rule.group_by, dimension);
    this.immediate = rule.group_by.includes('sensor') && rule.group_by.includes('interface');
  }

  observeSummary(s: SummaryMessage, top: TopLists, at: number, out: AlertTransition[]): void {
    const metric = this.metric;
    if (metric?.kind === 'keyed') {
      this.current = s;
      this.currentAt = at;
      this.currentOut = out;
      metric.each(s, top, this.visitKeyed);
      this.current = null;
      return;
    }
    let a: number | null;
    let b: number | null = 1;
    if (metric !== null) {
      a = metric.read(s, top);
    } else if (this.rule.kind === 'ratio') {
      a = this.numerator!.read(s, top);
      b = this.denominator!.read(s, top);
    } else {
      a = s.capture.kernel_dropped;
      b = a === null ? null : s.packets + a;
    }
    if (a === null || b === null) return;
    this.add(this.keys.key(s.sensor, s.interface), s, '', a, b, at, out);
  }

  private readonly visitKeyed = (entry: string, value: number): void => {
    const s = this.current!;
    this.add(this.keys.key(s.sensor, s.interface, entry), s, entry, value, 1, this.currentAt, this.currentOut);
  };

  observeHeartbeat(_h: HeartbeatMessage, _at: number, _out: AlertTransition[]): void {}

  private add(key: string, s: SummaryMessage, entry: string, a: number, b: number, at: number, out: AlertTransition[]): void {
    let group = this.groups.get(key);
    if (group === undefined) {
      if (this.groups.size >= this.limits.maxGroupsPerRule) {
        this.counters.groupsRefused++;
        return;
      }
      group = { labels: this.keys.labels(s.sensor, s.interface, entry), buckets: [], open: null, lastSeenAt: at };
      this.groups.set(key, group);
    }
    group.lastSeenAt = at;
    const last = group.buckets.length > 0 ? group.buckets[group.buckets.length - 1] : null;
    if (this.immediate) {
      if (last !== null && s.start < last.start) {
        this.counters.lateDropped++;
        return;
      }
      if (last !== null && last.start === s.start) {
        // The same interval again (a redelivery): it replaces the first copy.
        last.a = a;
        last.b = b;
      } else {
        group.buckets.push({ start: s.start, end: s.end, a, b, n: 1 });
      }
      this.judge(key, group, at, out);
      return;
    }
    let open = group.open;
    if (open !== null && open.start === s.start) {
      open.a += a;
      open.b += b;
      open.n++;
    } else if ((open !== null && s.start < open.start) || (open === null && last !== null && s.start <= last.start)) {
      this.counters.lateDropped++;
      return;
    } else {
      if (open !== null) this.close(key, group, at, out);
      open = group.open = { start: s.start, end: s.end, a, b, n: 1 };
    }
    // As many summaries as the previous interval had: this one is complete too.
    const expected = group.buckets.length > 0 ? group.buckets[group.buckets.length - 1].n : 0;
    if (expected > 0 && open.n >= expected) this.close(key, group, at, out);
  }

  private close(key: string, group: WindowGroup, at: number, out: AlertTransition[]): void {
    group.buckets.push(group.open!);
    group.open = null;
    this.judge(key, group, at, out);
  }

  private judge(key: string, group: WindowGroup, at: number, out: AlertTransition[]): void {
    const buckets = group.buckets;
    const latest = buckets[buckets.length - 1];
    const windowMs = this.windowMs ?? latest.end - latest.start;
    const keepMs = this.rule.kind === 'rate_of_change' ? windowMs * 2 : windowMs;
    pruneBuckets(buckets, latest.end - keepMs, this.limits.maxBucketsPerGroup);
    const value = this.valueOf(buckets, latest.end, windowMs);
    const wasActive = this.book.isActive(key);
    this.book.judge(key, group.labels, this.isActive(value, wasActive), value, this.threshold(), at, out);
  }

  private valueOf(buckets: Bucket[], end: number, windowMs: number): number | null {
    const rule = this.rule;
    const sums = sumWindow(buckets, end - windowMs, end, this.sums);
    switch (rule.kind) {
      case 'threshold':
      case 'distinct_count':
        return aggregateOf(sums, rule.aggregate);
      case 'rate_of_change': {
        const now = aggregateOf(sums, rule.aggregate);
        const before = aggregateOf(sumWindow(buckets, end - 2 * windowMs, end - windowMs, this.previous), rule.aggregate);
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

  private threshold(): number {
    const rule = this.rule;
    return rule.kind === 'drop_rate' ? rule.above : (rule.above ?? rule.below!);
  }

  tick(at: number, out: AlertTransition[]): void {
    for (const [key, group] of this.groups) {
      if (group.open !== null && at >= group.open.end + this.limits.settleMs) {
        this.close(key, group, at, out);
      }
      if (at - group.lastSeenAt > this.staleAfterMs(group)) {
        // No data for a whole window: the group is quiet, its alert resolves and its state goes.
        this.book.judge(key, group.labels, false, null, this.threshold(), at, out);
        this.groups.delete(key);
      }
    }
  }

  private staleAfterMs(group: WindowGroup): number {
    const last = group.open ?? group.buckets[group.buckets.length - 1];
    const intervalMs = last === undefined ? 0 : last.end - last.start;
    const windowMs = this.windowMs ?? intervalMs;
    return (this.rule.kind === 'rate_of_change' ? 2 * windowMs : windowMs) + 2 * intervalMs + this.limits.settleMs;
  }

  snapshot(): GroupState[] {
    return [...this.groups].map(([key, g]) => ({
      key,
      labels: { ...g.labels },
      buckets: g.buckets.map(toTuple),
      open: g.open === null ? null : toTuple(g.open),
      lastSeenAt: g.lastSeenAt,
    }));
  }

  restore(state: unknown, now: number): void {
    for (const g of state as GroupState[]) {
      this.groups.set(g.key, {
        labels: { ...g.labels },
        buckets: g.buckets.map(fromTuple),
        open: g.open === null ? null : fromTuple(g.open),
        lastSeenAt: Math.max(g.lastSeenAt, now),
      });
    }
  }

  stats(): RuleStats {
    return { ...this.counters, groups: this.groups.size };
  }
}

function toTuple(b: Bucket): BucketTuple {
  return [b.start, b.end, b.a, b.b, b.n];
}

function fromTuple([start, end, a, b, n]: BucketTuple): Bucket {
  return { start, end, a, b, n };
}
