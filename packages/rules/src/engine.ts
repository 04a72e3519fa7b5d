import type { HeartbeatMessage, SummaryMessage, TopLists } from '@wirewatch/protocol';
import { AlertBook, type RuleMeta } from './alert-book.js';
import type { ActiveAlert, AlertTransition } from './alert-transition.js';
import { ENGINE_STATE_VERSION, fingerprintOf, type EngineState, type RuleState } from './engine-state.js';
import { AbsenceEvaluator } from './evaluators/absence.js';
import type { EvaluatorLimits, RuleEvaluator, RuleStats } from './evaluators/evaluator.js';
import { FirstSeenEvaluator } from './evaluators/first-seen.js';
import { WindowSeriesRegistry } from './evaluators/window-series-registry.js';
import type { SeriesState, WindowSeries } from './evaluators/window-series.js';
import { WindowedEvaluator } from './evaluators/windowed.js';
import { DUPLICATE_ID_QUIET_MS, DuplicateIdAlert } from './duplicate-id-alert.js';
import { GROUP_LIMIT_QUIET_MS, GroupLimitAlert } from './group-limit-alert.js';
import { durationMs, type Rule, type RuleSet } from './rule-schema.js';
import { SilenceList, type Silence } from './silences.js';

export interface EngineOptions {
  /** The engine's start, in the same clock as the `atMs` arguments: sensors listed by absence rules are watched from here. */
  now: number;
  /** Grace after an interval's end before a group spanning several sensor interfaces is judged (default 2000 ms). */
  settleMs?: number;
  /**
   * Groups one rule may track (default 10,000). At the limit a windowed rule's new group evicts the
   * least significant one if it is larger, else it is refused; both are counted and raise the
   * built-in `rule-group-limit` alert.
   */
  maxGroupsPerRule?: number;
  /** How long a rule must turn no group away before its `rule-group-limit` alert resolves (default 5 min). */
  groupLimitQuietMs?: number;
  /** How long a sensor id's runs must stop interleaving before its `sensor-duplicate-id` alert resolves (default 5 min). */
  duplicateIdQuietMs?: number;
  /** Intervals kept per group (default 4,096); a longer window loses its oldest, counted as late. */
  maxBucketsPerGroup?: number;
  /** first_seen alerts open at once per rule (default 1,000); more new entities are counted, not alerted. */
  maxAlertsPerRule?: number;
}

export interface EngineStats {
  rules: Record<string, RuleStats>;
  /** Pending and firing alerts (the built-in `rule-group-limit` ones included). */
  alerts: number;
  silences: number;
  maxGroupsPerRule: number;
  /** Rules turning groups away now (their `rule-group-limit` alert is on). */
  atGroupLimit: string[];
  /** Sensor ids whose runs interleave now (two live sensors share the id: the `sensor-duplicate-id` alert is on). */
  duplicateIds: string[];
  /** Times a run of a sensor id spoke again after another run of it did, within a minute, since the engine started. */
  runInterleavings: number;
}

interface CompiledRule {
  rule: Rule;
  fingerprint: string;
  book: AlertBook;
  evaluator: RuleEvaluator;
  limit: GroupLimitAlert;
}

interface Orphan {
  rule: Rule;
  book: AlertBook;
  limit: GroupLimitAlert;
}

/**
 * Evaluates a rule set over summaries and heartbeats. Pure and deterministic: time comes only from
 * the `atMs` arguments, so the alerter (wall clock) and `analyze --rules` (a capture's recorded time)
 * run the same code. Every call returns the alert transitions it caused, in order.
 */
/** Groups one rule tracks unless the alerter's `engine.maxGroupsPerRule` says otherwise. */
export const DEFAULT_MAX_GROUPS_PER_RULE = 10_000;

export class RuleEngine {
  private compiled: CompiledRule[] = [];
  private readonly silenceList = new SilenceList();
  private readonly limits: EvaluatorLimits;
  /** Alerts of rules gone since the last call (a restore under a changed rule set): resolved at the next call. */
  private orphans: Orphan[] = [];
  /** Buckets of windowed rules, shared by the rules reading the same numbers alike. */
  private readonly windows: WindowSeriesRegistry;
  /** Rule-set replacements so far: each starts its new rules in a cohort of their own. */
  private reloads = 0;
  /** The built-in `sensor-duplicate-id` alert. */
  private readonly duplicates: DuplicateIdAlert;

  constructor(
    ruleSet: RuleSet,
    private readonly options: EngineOptions,
  ) {
    this.limits = {
      settleMs: options.settleMs ?? 2000,
      maxGroupsPerRule: options.maxGroupsPerRule ?? DEFAULT_MAX_GROUPS_PER_RULE,
      maxBucketsPerGroup: options.maxBucketsPerGroup ?? 4096,
      maxAlertsPerRule: options.maxAlertsPerRule ?? 1000,
    };
    this.windows = new WindowSeriesRegistry(this.limits);
    this.duplicates = new DuplicateIdAlert(this.silenceList, [], options.duplicateIdQuietMs ?? DUPLICATE_ID_QUIET_MS);
    this.compileAll(ruleSet, () => '');
  }

  /**
   * An engine resuming from a snapshot. Rules unchanged since the snapshot keep their state (firing
   * alerts stay firing and are not announced again); alerts of rules removed or changed are resolved
   * at the first call. `options.now` is the restart time: the alerter's downtime does not count as
   * a sensor's silence or a group's quiet.
   */
  static restore(ruleSet: RuleSet, state: EngineState, options: EngineOptions): RuleEngine {
    // Saved by whichever build ran before: the type says what this build writes, not what it may read.
    const version: unknown = state.version;
    if (version !== ENGINE_STATE_VERSION)
      throw new Error(`engine state version ${String(version)}, this build reads ${ENGINE_STATE_VERSION}`);
    const engine = new RuleEngine(ruleSet, options);
    // Restored windowed rules share a series exactly when they shared it at the snapshot.
    engine.compileAll(ruleSet, (rule, fingerprint) => {
      const index = unchangedState(state, rule.name, fingerprint)?.series;
      return index === undefined ? '' : `restored ${index}`;
    });
    engine.restoreSeries(state, options.now);
    for (const s of state.silences) engine.silenceList.add(s);
    if (state.duplicateIds !== undefined) engine.duplicates.restore(state.duplicateIds, options.now);
    const byName = new Map(engine.compiled.map((c) => [c.rule.name, c]));
    for (const [name, saved] of Object.entries(state.rules)) {
      const current = byName.get(name);
      if (current !== undefined && current.fingerprint === saved.fingerprint) {
        current.book.restore(saved.alerts);
        current.evaluator.restore(saved.evaluator, options.now);
        if (saved.limit !== undefined) current.limit.restore(saved.limit, options.now);
      } else if (saved.alerts.length > 0 || (saved.limit?.alerts.length ?? 0) > 0) {
        const book = new AlertBook(metaOf(saved.rule), engine.silenceList);
        book.restore(saved.alerts);
        const limit = engine.limitAlertOf(saved.rule);
        if (saved.limit !== undefined) limit.restore(saved.limit, options.now);
        engine.orphans.push({ rule: saved.rule, book, limit });
      }
    }
    return engine;
  }

  get rules(): readonly Rule[] {
    return this.compiled.map((c) => c.rule);
  }

  observeSummary(summary: SummaryMessage, top: TopLists, atMs: number): AlertTransition[] {
    const out = this.startCall(atMs);
    this.duplicates.observe('summary', summary.sensor, summary.run, atMs);
    this.windows.observeSummary(summary, top, atMs);
    for (const c of this.compiled) c.evaluator.observeSummary(summary, top, atMs, out);
    return out;
  }

  observeHeartbeat(heartbeat: HeartbeatMessage, atMs: number): AlertTransition[] {
    const out = this.startCall(atMs);
    this.duplicates.observe('heartbeat', heartbeat.sensor, heartbeat.run, atMs);
    for (const c of this.compiled) c.evaluator.observeHeartbeat(heartbeat, atMs, out);
    return out;
  }

  /** Judges what only time changes: silent sensors, settled intervals, quiet groups, expiring first-seen alerts. */
  tick(atMs: number): AlertTransition[] {
    const out = this.startCall(atMs);
    this.silenceList.prune(atMs);
    this.windows.tick(atMs);
    for (const c of this.compiled) c.evaluator.tick(atMs, out);
    for (const c of this.compiled) c.limit.judge(c.evaluator.stats(), atMs, out);
    this.duplicates.judge(atMs, out);
    return out;
  }

  /**
   * Swaps the rule set (hot reload). Unchanged rules keep their state; the firing alerts of removed
   * or changed rules are resolved now (a changed rule starts afresh).
   */
  replaceRules(ruleSet: RuleSet, atMs: number): AlertTransition[] {
    const out = this.startCall(atMs);
    const old = new Map(this.compiled.map((c) => [c.rule.name, c]));
    const next: CompiledRule[] = [];
    const cohort = `reload ${++this.reloads}`;
    for (const rule of ruleSet.rules) {
      if (!rule.enabled) continue;
      const fingerprint = fingerprintOf(rule);
      const kept = old.get(rule.name);
      if (kept !== undefined && kept.fingerprint === fingerprint) {
        next.push(kept);
        old.delete(rule.name);
      } else {
        next.push(this.compile(rule, cohort));
      }
    }
    for (const gone of old.values()) {
      gone.book.resolveAll(atMs, out);
      gone.limit.book.resolveAll(atMs, out);
    }
    this.compiled = next;
    this.duplicates.routeTo(next.flatMap((c) => c.rule.receivers));
    this.windows.retain(new Set(next.flatMap((c) => (c.evaluator instanceof WindowedEvaluator ? [c.evaluator] : []))));
    return out;
  }

  addSilence(silence: Silence): void {
    this.silenceList.add(silence);
  }

  removeSilence(id: string): boolean {
    return this.silenceList.remove(id);
  }

  silences(): Silence[] {
    return this.silenceList.list();
  }

  /** A decommissioned sensor: absence rules stop watching it and resolve its alerts. */
  forgetSensor(sensor: string, atMs: number): AlertTransition[] {
    const out = this.startCall(atMs);
    for (const c of this.compiled) if (c.evaluator instanceof AbsenceEvaluator) c.evaluator.forget(sensor, atMs, out);
    return out;
  }

  /** The runs seen interleaving under a flagged sensor id. */
  duplicateRuns(sensor: string): string[] {
    return this.duplicates.runs(sensor);
  }

  activeAlerts(): ActiveAlert[] {
    return [
      ...this.compiled.flatMap((c) => [...c.book.list(), ...c.limit.book.list()]),
      ...this.duplicates.book.list(),
    ];
  }

  snapshot(): EngineState {
    const rules: Record<string, RuleState> = {};
    const series: SeriesState[] = [];
    const indexOf = new Map<WindowSeries, number>();
    for (const c of this.compiled) {
      const saved: RuleState = {
        rule: structuredClone(c.rule),
        fingerprint: c.fingerprint,
        alerts: c.book.snapshot(),
        evaluator: c.evaluator.snapshot(),
      };
      const limit = c.limit.snapshot();
      if (limit.pressedAt !== null || limit.alerts.length > 0) saved.limit = limit;
      if (c.evaluator instanceof WindowedEvaluator) {
        const shared = c.evaluator.series;
        let index = indexOf.get(shared);
        if (index === undefined) {
          index = series.push(shared.snapshot()) - 1;
          indexOf.set(shared, index);
        }
        saved.series = index;
      }
      rules[c.rule.name] = saved;
    }
    // Orphans not yet resolved survive a snapshot taken before the next call.
    for (const { rule, book, limit } of this.orphans) {
      rules[rule.name] ??= {
        rule: structuredClone(rule),
        fingerprint: '',
        alerts: book.snapshot(),
        evaluator: null,
        limit: limit.snapshot(),
      };
    }
    const state: EngineState = { version: ENGINE_STATE_VERSION, rules, series, silences: this.silenceList.list() };
    const duplicates = this.duplicates.snapshot();
    if (duplicates.alerts.length > 0 || Object.keys(duplicates.pressedAt).length > 0) state.duplicateIds = duplicates;
    return state;
  }

  stats(): EngineStats {
    const rules: Record<string, RuleStats> = {};
    const atGroupLimit: string[] = [];
    let alerts = this.duplicates.book.size;
    for (const c of this.compiled) {
      rules[c.rule.name] = c.evaluator.stats();
      alerts += c.book.size + c.limit.book.size;
      if (c.limit.pressed) atGroupLimit.push(c.rule.name);
    }
    return {
      rules,
      alerts,
      silences: this.silenceList.size,
      maxGroupsPerRule: this.limits.maxGroupsPerRule,
      atGroupLimit,
      duplicateIds: this.duplicates.flagged,
      runInterleavings: this.duplicates.interleavings,
    };
  }

  private startCall(atMs: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    if (this.orphans.length > 0) {
      for (const { book, limit } of this.orphans) {
        book.resolveAll(atMs, out);
        limit.book.resolveAll(atMs, out);
      }
      this.orphans = [];
    }
    return out;
  }

  /** Fills each series of the unchanged windowed rules once from the state (its other members saved the same index). */
  private restoreSeries(state: EngineState, now: number): void {
    const done = new Set<WindowSeries>();
    for (const c of this.compiled) {
      const index = unchangedState(state, c.rule.name, c.fingerprint)?.series;
      if (!(c.evaluator instanceof WindowedEvaluator) || index === undefined || done.has(c.evaluator.series)) continue;
      const saved = state.series[index];
      if (saved === undefined)
        throw new Error(
          `engine state: rule ${c.rule.name} refers to window series ${index}, which the state does not hold`,
        );
      c.evaluator.series.restore(saved, now);
      done.add(c.evaluator.series);
    }
  }

  private compileAll(ruleSet: RuleSet, cohortOf: (rule: Rule, fingerprint: string) => string): void {
    this.windows.clear();
    this.compiled = ruleSet.rules.filter((r) => r.enabled).map((r) => this.compile(r, cohortOf(r, fingerprintOf(r))));
    this.duplicates.routeTo(this.compiled.flatMap((c) => c.rule.receivers));
  }

  private compile(rule: Rule, cohort: string): CompiledRule {
    const book = new AlertBook(metaOf(rule), this.silenceList);
    return {
      rule,
      fingerprint: fingerprintOf(rule),
      book,
      evaluator: this.evaluatorOf(rule, book, cohort),
      limit: this.limitAlertOf(rule),
    };
  }

  private limitAlertOf(rule: Rule): GroupLimitAlert {
    return new GroupLimitAlert(
      rule,
      this.silenceList,
      this.limits.maxGroupsPerRule,
      this.options.groupLimitQuietMs ?? GROUP_LIMIT_QUIET_MS,
    );
  }

  private evaluatorOf(rule: Rule, book: AlertBook, cohort: string): RuleEvaluator {
    switch (rule.kind) {
      case 'absence':
        return new AbsenceEvaluator(rule, book, this.limits, this.options.now);
      case 'first_seen':
        return new FirstSeenEvaluator(rule, book, this.limits);
      default:
        return new WindowedEvaluator(rule, book, this.windows.seriesFor(rule, cohort));
    }
  }
}

/** The saved state of a rule still evaluated unchanged, else undefined. */
function unchangedState(state: EngineState, name: string, fingerprint: string): RuleState | undefined {
  const saved = state.rules[name];
  return saved !== undefined && saved.fingerprint === fingerprint ? saved : undefined;
}

function metaOf(rule: Rule): RuleMeta {
  const meta: RuleMeta = {
    name: rule.name,
    severity: rule.severity,
    labels: rule.labels,
    receivers: rule.receivers,
    timing: {
      forMs: durationMs(rule.for),
      repeatMs: rule.repeat_interval === undefined ? null : durationMs(rule.repeat_interval),
    },
  };
  if (rule.description !== undefined) meta.description = rule.description;
  return meta;
}
