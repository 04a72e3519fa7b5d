import { AlertBook, type AlertEntryState } from './alert-book.js';
import type { AlertTransition } from './alert-transition.js';
import type { RuleStats } from './evaluators/evaluator.js';
import type { Rule } from './rule-schema.js';
import type { SilenceList } from './silences.js';

/** The built-in alert's name: a rule file may not use it. */
export const GROUP_LIMIT_RULE = 'rule-group-limit';

/** How long a rule must turn no group away before its limit alert resolves (default). */
export const GROUP_LIMIT_QUIET_MS = 5 * 60_000;

/** One rule's limit alert as persisted. */
export interface GroupLimitState {
  alerts: AlertEntryState[];
  /** When the rule last refused or evicted a group (null: not in this episode). */
  pressedAt: number | null;
}

/**
 * The built-in alert `rule-group-limit{limited_rule="<rule>"}`: a rule at `maxGroupsPerRule` that
 * refuses or evicts groups may miss alerts, and says so through the same lifecycle, silences and
 * receivers (the limited rule's) as any alert. It fires at the first tick after a group was turned
 * away and resolves once none was for `quietMs`: one firing and one resolved per episode.
 */
export class GroupLimitAlert {
  readonly book: AlertBook;
  private readonly key: string;
  private readonly group: Record<string, string>;
  /** Refused + evicted at the last judgement: a rise means groups were turned away since. */
  private turnedAway = 0;
  private pressedAt: number | null = null;

  constructor(
    rule: Rule,
    silences: SilenceList,
    private readonly maxGroups: number,
    private readonly quietMs: number,
  ) {
    this.book = new AlertBook(
      {
        name: GROUP_LIMIT_RULE,
        severity: 'warning',
        labels: { category: 'health' },
        receivers: rule.receivers,
        description: `Rule ${rule.name} holds its limit of ${maxGroups} groups and turns new ones away (refused, or evicting smaller ones): some of its alerts may be missed.`,
        timing: { forMs: 0, repeatMs: null },
      },
      silences,
    );
    this.group = { limited_rule: rule.name };
    this.key = `${GROUP_LIMIT_RULE}{limited_rule=${JSON.stringify(rule.name)}}`;
  }

  /** True while the rule turns groups away (the alert's episode). */
  get pressed(): boolean {
    return this.book.size > 0;
  }

  /** Judges the rule's counters at a tick. Value: groups held; threshold: the limit. */
  judge(stats: RuleStats, at: number, out: AlertTransition[]): void {
    const turnedAway = stats.groupsRefused + stats.groupsEvicted;
    if (turnedAway !== this.turnedAway) {
      // Lower: the counters restarted (a restored engine); the episode's clock goes on.
      if (turnedAway > this.turnedAway) this.pressedAt = at;
      this.turnedAway = turnedAway;
    }
    if (this.pressedAt === null) return;
    const active = at - this.pressedAt < this.quietMs;
    this.book.judge(this.key, this.group, active, stats.groups, this.maxGroups, at, out);
    if (!active) this.pressedAt = null;
  }

  snapshot(): GroupLimitState {
    return { alerts: this.book.snapshot(), pressedAt: this.pressedAt };
  }

  /** `now` (restart time): the quiet clock restarts there, so downtime does not end an episode. */
  restore(state: GroupLimitState, now: number): void {
    this.book.restore(state.alerts);
    this.pressedAt = state.pressedAt === null ? null : Math.max(state.pressedAt, now);
  }
}
