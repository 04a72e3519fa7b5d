import type { AlertEntryState } from './alert-book.js';
import type { SeriesState } from './evaluators/window-series.js';
import type { DuplicateIdState } from './duplicate-id-alert.js';
import type { GroupLimitState } from './group-limit-alert.js';
import type { Rule } from './rule-schema.js';
import type { Silence } from './silences.js';

/**
 * 2: the buckets of a window series shared by several rules are stored once, in `EngineState.series`.
 * Still 2 with `RuleState.limit` (optional: a state without it restores as before).
 */
export const ENGINE_STATE_VERSION = 2;

/** One rule's state: the rule itself (to recognise it unchanged, or to resolve its alerts once gone). */
export interface RuleState {
  rule: Rule;
  fingerprint: string;
  alerts: AlertEntryState[];
  /** The evaluator's own state (watched sensors, remembered entities), JSON-safe; null for windowed rules. */
  evaluator: unknown;
  /** Windowed rules: the index in `EngineState.series` of the buckets they read. */
  series?: number;
  /** The rule's `rule-group-limit` alert, when it has been turning groups away. */
  limit?: GroupLimitState;
}

/** The whole engine, JSON-safe: what the alerter keeps in JetStream KV. */
export interface EngineState {
  version: typeof ENGINE_STATE_VERSION;
  rules: Record<string, RuleState>;
  /** The window series of windowed rules, each once however many rules share it. */
  series: SeriesState[];
  silences: Silence[];
  /** The built-in `sensor-duplicate-id` alert, when it has flagged a sensor id (optional: a state without it restores as before). */
  duplicateIds?: DuplicateIdState;
}

/** A key-order-independent text of a rule: equal for an unchanged rule across reloads. */
export function fingerprintOf(rule: Rule): string {
  return stableJson(rule);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
