import type { SummaryMessage, TopLists } from '@wirewatch/protocol';
import type { GroupKeys } from '../group-keys.js';
import { resolveMetric, type KeyedMetric, type StreamMetric } from '../metrics.js';
import {
  durationMs,
  type DistinctCountRule,
  type DropRateRule,
  type RateOfChangeRule,
  type RatioRule,
  type ThresholdRule,
} from '../rule-schema.js';
import { pruneBuckets, sumWindow, type Bucket, type WindowSums } from '../window.js';
import type { EvaluatorLimits } from './evaluator.js';
import { EvictionRanking } from './eviction-ranking.js';

export type WindowedRule = ThresholdRule | RateOfChangeRule | DistinctCountRule | RatioRule | DropRateRule;

/** The sums of one window length over a group's buckets, computed once per judgement for every rule using it. */
export interface WindowView {
  /** null: one interval (the latest bucket's length). */
  windowMs: number | null;
  /** The window before (rate_of_change) is summed too. */
  previous: boolean;
  sums: WindowSums;
  before: WindowSums;
}

/** A rule judging its own window over a shared series. */
export interface SeriesMember {
  readonly windowMs: number | null;
  readonly needsPrevious: boolean;
  view: WindowView | null;
  /** `suffix`: the group's dedup key without the rule name. */
  judge(suffix: string, labels: Record<string, string>, at: number): void;
  /** The group went quiet: its alert resolves. */
  quiet(suffix: string, labels: Record<string, string>, at: number): void;
  /** The group's alert is pending or firing: it is never evicted. */
  holdsAlert(suffix: string): boolean;
}

interface SeriesGroup {
  labels: Record<string, string>;
  /** Judged intervals, oldest first. */
  buckets: Bucket[];
  /** The interval still collecting summaries (groups spanning several sensor interfaces only). */
  open: Bucket | null;
  lastSeenAt: number;
  /** The latest interval's value (the open one's so far, if larger), oriented: larger matters more. */
  significance: number;
}

type BucketTuple = [start: number, end: number, a: number, b: number, n: number];
/** One group of a series as persisted. */
export interface GroupState {
  /** The group's dedup key without a rule name (each member prefixes its own). */
  suffix: string;
  labels: Record<string, string>;
  buckets: BucketTuple[];
  open: BucketTuple | null;
  lastSeenAt: number;
}

/** One shared series as persisted: stored once however many rules read it. */
export interface SeriesState {
  groups: GroupState[];
}

export interface SeriesCounters {
  groupsRefused: number;
  groupsEvicted: number;
  lateDropped: number;
}

/**
 * Rules reading the same numbers, grouped alike and keeping as much history see the same buckets,
 * and their groups appear and go quiet at the same moments: they share one series. What differs
 * between them (the window summed, the aggregate, the threshold) is judged per rule.
 */
export function seriesSignature(rule: WindowedRule, keys: GroupKeys): string {
  const source =
    rule.kind === 'ratio'
      ? `ratio ${rule.numerator}/${rule.denominator}`
      : rule.kind === 'drop_rate'
        ? 'drop_rate'
        : `metric ${rule.metric}`;
  const factor = rule.kind === 'rate_of_change' ? 2 : 1;
  const keep = rule.window === undefined ? `${factor} intervals` : `${factor * durationMs(rule.window)} ms`;
  // A `below` rule ranks its groups the other way round when one must be evicted.
  return `${source} by ${keys.names.join(',')} keep ${keep}${lowMatters(rule) ? ' low' : ''}`;
}

function lowMatters(rule: WindowedRule): boolean {
  return rule.kind !== 'drop_rate' && rule.below !== undefined;
}

/**
 * The interval buckets of every group of a series. Each summary adds one bucket per group (see
 * WindowedEvaluator for when a group is judged); each judgement prunes the buckets, sums each
 * member's window once and hands the sums to the members.
 *
 * At `maxGroupsPerRule` groups, a new group evicts the least significant one held (the smallest
 * latest value; the largest for `below` rules) if its own value is larger, else it is refused. A
 * group whose alert is pending or firing in any member is never evicted. Both are counted.
 */
export class WindowSeries {
  private readonly groups = new Map<string, SeriesGroup>();
  private members: SeriesMember[] = [];
  private views: WindowView[] = [];
  private readonly immediate: boolean;
  private readonly keepMs: number | null;
  private readonly keepIntervals: number;
  private readonly metric: StreamMetric | KeyedMetric | null;
  private readonly numerator: StreamMetric | null;
  private readonly denominator: StreamMetric | null;
  private readonly dropRate: boolean;
  readonly counters: SeriesCounters = { groupsRefused: 0, groupsEvicted: 0, lateDropped: 0 };
  /** 1, or -1 when low values matter (`below` rules): groups' significance is their value times this. */
  private readonly direction: number;
  private readonly ranking = new EvictionRanking<SeriesGroup>();
  // The summary being visited by a keyed metric (avoids a closure per summary).
  private current: SummaryMessage | null = null;
  private currentAt = 0;

  constructor(
    rule: WindowedRule,
    private readonly keys: GroupKeys,
    private readonly limits: EvaluatorLimits,
  ) {
    const factor = rule.kind === 'rate_of_change' ? 2 : 1;
    this.keepMs = rule.window === undefined ? null : factor * durationMs(rule.window);
    this.keepIntervals = factor;
    this.metric = 'metric' in rule ? (resolveMetric(rule.metric) as StreamMetric | KeyedMetric) : null;
    this.numerator = rule.kind === 'ratio' ? (resolveMetric(rule.numerator) as StreamMetric) : null;
    this.denominator = rule.kind === 'ratio' ? (resolveMetric(rule.denominator) as StreamMetric) : null;
    this.dropRate = rule.kind === 'drop_rate';
    this.direction = lowMatters(rule) ? -1 : 1;
    this.immediate = keys.has('sensor') && keys.has('interface');
  }

  get size(): number {
    return this.groups.size;
  }

  get memberCount(): number {
    return this.members.length;
  }

  join(member: SeriesMember): void {
    this.members.push(member);
    this.rebuildViews();
  }

  /** Keeps only the members still evaluated (after a rule-set replacement). */
  retain(keep: ReadonlySet<SeriesMember>): void {
    this.members = this.members.filter((m) => keep.has(m));
    this.rebuildViews();
  }

  private rebuildViews(): void {
    this.views = [];
    for (const m of this.members) {
      let view = this.views.find((v) => v.windowMs === m.windowMs);
      if (view === undefined) {
        view = {
          windowMs: m.windowMs,
          previous: false,
          sums: { a: 0, b: 0, maxA: 0, n: 0 },
          before: { a: 0, b: 0, maxA: 0, n: 0 },
        };
        this.views.push(view);
      }
      view.previous ||= m.needsPrevious;
      m.view = view;
    }
  }

  observeSummary(s: SummaryMessage, top: TopLists, at: number): void {
    const metric = this.metric;
    if (metric?.kind === 'keyed') {
      this.current = s;
      this.currentAt = at;
      metric.each(s, top, this.visitKeyed);
      this.current = null;
      return;
    }
    let a: number | null;
    let b: number | null = 1;
    if (metric !== null) {
      a = metric.read(s, top);
    } else if (!this.dropRate) {
      a = this.numerator!.read(s, top);
      b = this.denominator!.read(s, top);
    } else {
      a = s.capture.kernel_dropped;
      b = a === null ? null : s.packets + a;
    }
    if (a === null || b === null) return;
    this.add(this.keys.key(s.sensor, s.interface), s, '', a, b, at);
  }

  private readonly visitKeyed = (entry: string, value: number): void => {
    const s = this.current!;
    this.add(this.keys.key(s.sensor, s.interface, entry), s, entry, value, 1, this.currentAt);
  };

  private add(suffix: string, s: SummaryMessage, entry: string, a: number, b: number, at: number): void {
    let group = this.groups.get(suffix);
    if (group === undefined) {
      if (this.groups.size >= this.limits.maxGroupsPerRule && !this.makeRoom(this.significanceOf(a, b))) {
        this.counters.groupsRefused++;
        return;
      }
      group = {
        labels: this.keys.labels(s.sensor, s.interface, entry),
        buckets: [],
        open: null,
        lastSeenAt: at,
        significance: -Infinity,
      };
      this.groups.set(suffix, group);
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
      group.significance = this.significanceOf(a, b);
      this.judge(suffix, group, at);
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
      if (open !== null) this.close(suffix, group, at);
      open = group.open = { start: s.start, end: s.end, a, b, n: 1 };
    }
    // As many summaries as the previous interval had: this one is complete too.
    const previous = group.buckets.length > 0 ? group.buckets[group.buckets.length - 1] : null;
    group.significance = Math.max(
      this.significanceOf(open.a, open.b),
      previous === null ? -Infinity : this.significanceOf(previous.a, previous.b),
    );
    if (previous !== null && open.n >= previous.n) this.close(suffix, group, at);
  }

  private significanceOf(a: number, b: number): number {
    return b === 0 ? -Infinity : this.direction * (a / b);
  }

  /** Evicts the least significant group if it matters less than a newcomer of `significance`; false: nothing evicted. */
  private makeRoom(significance: number): boolean {
    const victim = this.ranking.pick(significance, this.groups, this.isProtected);
    if (victim === undefined) return false;
    this.groups.delete(victim);
    this.counters.groupsEvicted++;
    return true;
  }

  private readonly isProtected = (suffix: string): boolean => {
    for (const m of this.members) if (m.holdsAlert(suffix)) return true;
    return false;
  };

  private close(suffix: string, group: SeriesGroup, at: number): void {
    group.buckets.push(group.open!);
    group.open = null;
    this.judge(suffix, group, at);
  }

  private judge(suffix: string, group: SeriesGroup, at: number): void {
    const buckets = group.buckets;
    const latest = buckets[buckets.length - 1];
    const intervalMs = latest.end - latest.start;
    pruneBuckets(buckets, latest.end - this.keepOf(intervalMs), this.limits.maxBucketsPerGroup);
    const end = latest.end;
    for (const view of this.views) {
      const windowMs = view.windowMs ?? intervalMs;
      sumWindow(buckets, end - windowMs, end, view.sums);
      if (view.previous) sumWindow(buckets, end - 2 * windowMs, end - windowMs, view.before);
    }
    for (const m of this.members) m.judge(suffix, group.labels, at);
  }

  tick(at: number): void {
    this.ranking.invalidate();
    for (const [suffix, group] of this.groups) {
      if (group.open !== null && at >= group.open.end + this.limits.settleMs) {
        this.close(suffix, group, at);
      }
      if (at - group.lastSeenAt > this.staleAfterMs(group)) {
        // No data for a whole window: the group is quiet, its alerts resolve and its state goes.
        for (const m of this.members) m.quiet(suffix, group.labels, at);
        this.groups.delete(suffix);
      }
    }
  }

  private keepOf(intervalMs: number): number {
    return this.keepMs ?? this.keepIntervals * intervalMs;
  }

  private staleAfterMs(group: SeriesGroup): number {
    const last = group.open ?? group.buckets[group.buckets.length - 1];
    const intervalMs = last === undefined ? 0 : last.end - last.start;
    return this.keepOf(intervalMs) + 2 * intervalMs + this.limits.settleMs;
  }

  snapshot(): SeriesState {
    return {
      groups: [...this.groups].map(([suffix, g]) => ({
        suffix,
        labels: { ...g.labels },
        buckets: g.buckets.map(toTuple),
        open: g.open === null ? null : toTuple(g.open),
        lastSeenAt: g.lastSeenAt,
      })),
    };
  }

  /** `now` (restart time): a group's quiet clock restarts there, so downtime is not judged as quiet. */
  restore(state: SeriesState, now: number): void {
    for (const g of state.groups) {
      const buckets = g.buckets.map(fromTuple);
      const open = g.open === null ? null : fromTuple(g.open);
      const latest = [buckets[buckets.length - 1], open].filter((b) => b !== undefined && b !== null);
      const significance = Math.max(-Infinity, ...latest.map((b) => this.significanceOf(b.a, b.b)));
      this.groups.set(g.suffix, {
        labels: { ...g.labels },
        buckets,
        open,
        lastSeenAt: Math.max(g.lastSeenAt, now),
        significance,
      });
    }
  }
}

function toTuple(b: Bucket): BucketTuple {
  return [b.start, b.end, b.a, b.b, b.n];
}

function fromTuple([start, end, a, b, n]: BucketTuple): Bucket {
  return { start, end, a, b, n };
}
