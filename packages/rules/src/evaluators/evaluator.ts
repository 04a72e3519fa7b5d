import type { HeartbeatMessage, SummaryMessage, TopLists } from '@wirewatch/protocol';
import type { AlertBook } from '../alert-book.js';
import type { AlertTransition } from '../alert-transition.js';

/** What each rule counts that it could not keep: nothing is dropped silently. */
export interface RuleStats {
  /** Groups (or first-seen sets) held now. */
  groups: number;
  /** New groups refused because the rule held `maxGroupsPerRule` already (and none it held mattered less). */
  groupsRefused: number;
  /** Groups dropped at the limit to make room for a newcomer with a larger value (windowed rules only). */
  groupsEvicted: number;
  /** Summaries of an interval older than one already judged (out of order), not counted. */
  lateDropped: number;
  /** first_seen: entities evicted from a full remembered set (seen again, they alert again). */
  forgotten: number;
  /** first_seen: new entities not alerted because `maxAlertsPerRule` were open already. */
  alertsSuppressed: number;
}

export interface EvaluatorLimits {
  /** Grace after an interval's end for the other summaries of a multi-summary group (ms). */
  settleMs: number;
  maxGroupsPerRule: number;
  maxBucketsPerGroup: number;
  maxAlertsPerRule: number;
}

/** One rule's evaluation state; the engine routes inputs to it and persists what `snapshot` returns. */
export interface RuleEvaluator {
  readonly book: AlertBook;
  observeSummary(summary: SummaryMessage, top: TopLists, at: number, out: AlertTransition[]): void;
  observeHeartbeat(heartbeat: HeartbeatMessage, at: number, out: AlertTransition[]): void;
  tick(at: number, out: AlertTransition[]): void;
  snapshot(): unknown;
  /** `now` (restart time): clocks of silence and staleness restart there, so downtime is not judged as silence. */
  restore(state: unknown, now: number): void;
  stats(): RuleStats;
}

export function emptyStats(): RuleStats {
  return { groups: 0, groupsRefused: 0, groupsEvicted: 0, lateDropped: 0, forgotten: 0, alertsSuppressed: 0 };
}
