import type { HeartbeatMessage, SummaryMessage, TopLists } from '@wirewatch/protocol';
import type { AlertBook } from '../alert-book.js';
import type { AlertTransition } from '../alert-transition.js';
import { GroupKeys } from '../group-keys.js';
import { durationMs, type AbsenceRule } from '../rule-schema.js';
import { emptyStats, type EvaluatorLimits, type RuleEvaluator, type RuleStats } from './evaluator.js';

interface Watched {
  labels: Record<string, string>;
  lastSeenAt: number;
}

interface WatchedState extends Watched {
  key: string;
}

/**
 * A sensor (or a sensor interface) that sent no heartbeat (summary) for longer than `after`. Judged
 * on every tick, since silence produces no input; an input from the sensor resolves it at once.
 * Sensors are watched from their first message, or from the engine's start for those listed in
 * `sensors`. The value is the silence in seconds, the threshold `after` in seconds.
 */
export class AbsenceEvaluator implements RuleEvaluator {
  private readonly watched = new Map<string, Watched>();
  private readonly keys: GroupKeys;
  private readonly afterMs: number;
  private readonly counters: RuleStats = emptyStats();

  constructor(
    private readonly rule: AbsenceRule,
    readonly book: AlertBook,
    private readonly limits: EvaluatorLimits,
    startedAt: number,
  ) {
    this.keys = new GroupKeys(rule.name, rule.group_by);
    this.afterMs = durationMs(rule.after);
    for (const sensor of rule.sensors)
      this.watched.set(this.keys.key(sensor, ''), { labels: this.keys.labels(sensor, ''), lastSeenAt: startedAt });
  }

  observeSummary(s: SummaryMessage, _top: TopLists, at: number, out: AlertTransition[]): void {
    if (this.rule.of === 'summary') this.seen(s.sensor, s.interface, at, out);
  }

  observeHeartbeat(h: HeartbeatMessage, at: number, out: AlertTransition[]): void {
    if (this.rule.of === 'heartbeat') this.seen(h.sensor, '', at, out);
  }

  private seen(sensor: string, iface: string, at: number, out: AlertTransition[]): void {
    const key = this.keys.key(sensor, iface);
    let w = this.watched.get(key);
    if (w === undefined) {
      if (this.watched.size >= this.limits.maxGroupsPerRule) {
        this.counters.groupsRefused++;
        return;
      }
      w = { labels: this.keys.labels(sensor, iface), lastSeenAt: at };
      this.watched.set(key, w);
    }
    w.lastSeenAt = Math.max(w.lastSeenAt, at);
    if (this.book.isActive(key)) this.judge(key, w, at, out);
  }

  tick(at: number, out: AlertTransition[]): void {
    for (const [key, w] of this.watched) this.judge(key, w, at, out);
  }

  private judge(key: string, w: Watched, at: number, out: AlertTransition[]): void {
    const silentMs = at - w.lastSeenAt;
    this.book.judge(key, w.labels, silentMs > this.afterMs, silentMs / 1000, this.afterMs / 1000, at, out);
  }

  /** Stops watching a sensor (decommissioned): its alert, if any, resolves at once. */
  forget(sensor: string, at: number, out: AlertTransition[]): void {
    for (const [key, w] of this.watched) {
      if (w.labels.sensor !== sensor) continue;
      this.book.judge(key, w.labels, false, null, this.afterMs / 1000, at, out);
      this.watched.delete(key);
    }
  }

  snapshot(): WatchedState[] {
    return [...this.watched].map(([key, w]) => ({ key, labels: { ...w.labels }, lastSeenAt: w.lastSeenAt }));
  }

  restore(state: unknown, now: number): void {
    for (const w of state as WatchedState[]) {
      // The alerter's own downtime is not the sensor's silence: a sensor not already alerting gets a fresh `after`.
      const lastSeenAt = this.book.isActive(w.key) ? w.lastSeenAt : Math.max(w.lastSeenAt, now);
      this.watched.set(w.key, { labels: { ...w.labels }, lastSeenAt });
    }
  }

  stats(): RuleStats {
    return { ...this.counters, groups: this.watched.size };
  }
}
