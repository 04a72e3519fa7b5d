import type { TopLists } from '@wirewatch/protocol';
import type { AlertTransition } from '../alert-transition.js';
import type { RuleEngine } from '../engine.js';
import { NO_TOP, summaryAt, type SummaryFields } from './summaries.js';

/** `state@at` (plus ` repeat`, ` silenced`), compact enough to compare whole sequences. */
export function brief(t: AlertTransition): string {
  return `${t.state}@${t.at}${t.repeat ? ' repeat' : ''}${t.silenced ? ' silenced' : ''}`;
}

/**
 * Feeds one summary per 1 s interval, the n-th covering [n s, n+1 s), observed at the interval's end;
 * returns every transition.
 */
export function feedSeries(
  engine: RuleEngine,
  fields: SummaryFields[],
  firstInterval = 0,
  top: TopLists = NO_TOP,
): AlertTransition[] {
  const out: AlertTransition[] = [];
  fields.forEach((f, i) => {
    const start = (firstInterval + i) * 1000;
    out.push(...engine.observeSummary(summaryAt(start, f), top, start + 1000));
  });
  return out;
}
