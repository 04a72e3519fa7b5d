export { DEFAULT_MAX_GROUPS_PER_RULE, RuleEngine, type EngineOptions, type EngineStats } from './engine.js';
export { RULE_TOP_N } from './top-n.js';
export { ENGINE_STATE_VERSION, fingerprintOf, type EngineState, type RuleState } from './engine-state.js';
export type { GroupState, SeriesState } from './evaluators/window-series.js';
export type { ActiveAlert, AlertTransition } from './alert-transition.js';
export type { AlertEntryState } from './alert-book.js';
export type { AlertRecord } from './lifecycle.js';
export type { RuleStats } from './evaluators/evaluator.js';
export { loadRuleFile, parseRuleSet, RULE_UPLOAD_LIMITS, type RuleSetResult } from './rule-file.js';
export {
  AGGREGATES,
  GROUP_LABELS,
  RULE_KINDS,
  SEVERITIES,
  type AbsenceRule,
  type Aggregate,
  type DistinctCountRule,
  type DropRateRule,
  type FirstSeenRule,
  type GroupLabel,
  type RateOfChangeRule,
  type RatioRule,
  type Rule,
  type RuleKind,
  type RuleSet,
  type Severity,
  type ThresholdRule,
} from './rule-schema.js';
export { METRIC_NAMES, DISTINCT_METRICS, resolveMetric, type Dimension, type Metric } from './metrics.js';
export type { Silence, SilenceMatcher } from './silences.js';
export { parseDuration, formatDuration } from './duration.js';
export { DEFAULT_RULES_FILE } from './default-rules.js';
export { GROUP_LIMIT_RULE, type GroupLimitState } from './group-limit-alert.js';
export { DUPLICATE_ID_RULE, type DuplicateIdState } from './duplicate-id-alert.js';
