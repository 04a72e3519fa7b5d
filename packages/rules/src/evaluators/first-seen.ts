import type { HeartbeatMessage, SummaryMessage, TopLists } from '@wirewatch/protocol';
import type { AlertBook } from '../alert-book.js';
import type { AlertTransition } from '../alert-transition.js';
import { GroupKeys } from '../group-keys.js';
import { durationMs, type FirstSeenRule } from '../rule-schema.js';
import { emptyStats, type EvaluatorLimits, type RuleEvaluator, type RuleStats } from './evaluator.js';

interface Memory {
  labels: Record<string, string>;
  /** When this group was first observed: its learning period runs from here. */
  learningSince: number;
  /** Entity → when last seen, least recently seen first (a Map keeps insertion order). */
  remembered: Map<string, number>;
}

interface NewEntity {
  labels: Record<string, string>;
  firstSeenAt: number;
}

interface FirstSeenState {
  groups: { key: string; labels: Record<string, string>; learningSince: number; remembered: [string, number][] }[];
  alerts: { key: string; labels: Record<string, string>; firstSeenAt: number }[];
}

/**
 * A host, a server port or a DNS name never seen before in its group, once the group's `learning`
 * period is over. Entities come from the summaries' top lists (so only what ranks in a top list is
 * seen). The remembered set of each group is capped at `max_remembered`: the least recently seen
 * entity is evicted and counted (`forgotten`); seen again, it alerts again. The alert of a new entity
 * fires and resolves `resolve_after` later.
 */
export class FirstSeenEvaluator implements RuleEvaluator {
  private readonly groups = new Map<string, Memory>();
  private readonly alerts = new Map<string, NewEntity>();
  private readonly groupKeys: GroupKeys;
  private readonly alertKeys: GroupKeys;
  private readonly learningMs: number;
  private readonly resolveAfterMs: number;
  private readonly counters: RuleStats = emptyStats();

  constructor(
    private readonly rule: FirstSeenRule,
    readonly book: AlertBook,
    private readonly limits: EvaluatorLimits,
  ) {
    this.groupKeys = new GroupKeys(rule.name, rule.group_by);
    this.alertKeys = new GroupKeys(rule.name, rule.group_by, rule.entity);
    this.learningMs = durationMs(rule.learning);
    this.resolveAfterMs = durationMs(rule.resolve_after);
  }

  observeSummary(s: SummaryMessage, top: TopLists, at: number, out: AlertTransition[]): void {
    const key = this.groupKeys.key(s.sensor, s.interface);
    let memory = this.groups.get(key);
    if (memory === undefined) {
      if (this.groups.size >= this.limits.maxGroupsPerRule) {
        this.counters.groupsRefused++;
        return;
      }
      memory = { labels: this.groupKeys.labels(s.sensor, s.interface), learningSince: at, remembered: new Map() };
      this.groups.set(key, memory);
    }
    const learning = at - memory.learningSince < this.learningMs;
    switch (this.rule.entity) {
      case 'host':
        for (const e of top.sources) this.sighting(memory, s, e.ip, learning, at, out);
        for (const e of top.destinations) this.sighting(memory, s, e.ip, learning, at, out);
        break;
      case 'port':
        for (const e of top.ports) this.sighting(memory, s, `${e.transport}/${e.port}`, learning, at, out);
        break;
      case 'dns_name':
        for (const e of top.dns_names)
          if (e.name !== '?') this.sighting(memory, s, this.domainOf(e.name), learning, at, out);
        break;
    }
  }

  private sighting(
    memory: Memory,
    s: SummaryMessage,
    entity: string,
    learning: boolean,
    at: number,
    out: AlertTransition[],
  ): void {
    const remembered = memory.remembered;
    if (remembered.delete(entity)) {
      remembered.set(entity, at);
      return;
    }
    if (remembered.size >= this.rule.max_remembered) {
      remembered.delete(remembered.keys().next().value!);
      this.counters.forgotten++;
    }
    remembered.set(entity, at);
    if (learning) return;
    if (this.alerts.size >= this.limits.maxAlertsPerRule) {
      this.counters.alertsSuppressed++;
      return;
    }
    const key = this.alertKeys.key(s.sensor, s.interface, entity);
    const labels = this.alertKeys.labels(s.sensor, s.interface, entity);
    this.alerts.set(key, { labels, firstSeenAt: at });
    this.book.judge(key, labels, true, null, null, at, out);
  }

  private domainOf(name: string): string {
    const levels = this.rule.dns_levels;
    if (levels === undefined) return name;
    const labels = name.replace(/\.$/, '').split('.');
    return labels.slice(Math.max(0, labels.length - levels)).join('.');
  }

  observeHeartbeat(_h: HeartbeatMessage, _at: number, _out: AlertTransition[]): void {}

  tick(at: number, out: AlertTransition[]): void {
    for (const [key, a] of this.alerts) {
      const active = at - a.firstSeenAt < this.resolveAfterMs;
      this.book.judge(key, a.labels, active, null, null, at, out);
      if (!active) this.alerts.delete(key);
    }
  }

  snapshot(): FirstSeenState {
    return {
      groups: [...this.groups].map(([key, m]) => ({
        key,
        labels: { ...m.labels },
        learningSince: m.learningSince,
        remembered: [...m.remembered],
      })),
      alerts: [...this.alerts].map(([key, a]) => ({ key, labels: { ...a.labels }, firstSeenAt: a.firstSeenAt })),
    };
  }

  restore(state: unknown, _now: number): void {
    const s = state as FirstSeenState;
    for (const g of s.groups)
      this.groups.set(g.key, {
        labels: { ...g.labels },
        learningSince: g.learningSince,
        remembered: new Map(g.remembered),
      });
    for (const a of s.alerts) this.alerts.set(a.key, { labels: { ...a.labels }, firstSeenAt: a.firstSeenAt });
  }

  stats(): RuleStats {
    return { ...this.counters, groups: this.groups.size };
  }
}
