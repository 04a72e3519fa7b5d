import { subjectToken } from '@wirewatch/protocol';
import { z } from 'zod';
import { parseDuration } from './duration.js';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const GROUP_LABELS = [
  'sensor',
  'interface',
  'source',
  'destination',
  'conversation',
  'port',
  'dns_name',
] as const;
export const AGGREGATES = ['avg', 'max', 'sum'] as const;
export const RULE_KINDS = [
  'threshold',
  'rate_of_change',
  'distinct_count',
  'ratio',
  'absence',
  'drop_rate',
  'first_seen',
] as const;

export type Severity = (typeof SEVERITIES)[number];
export type GroupLabel = (typeof GROUP_LABELS)[number];
export type Aggregate = (typeof AGGREGATES)[number];
export type RuleKind = (typeof RULE_KINDS)[number];

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a label name (letters, digits, "_")');
/** Durations stay text in the rule (as written, for display); `durationMs` reads them. */
const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, 'expected a duration like 500ms, 30s, 5m, 1h');
const finite = z.number().finite();

const common = {
  name: subjectToken,
  kind: z.enum(RULE_KINDS),
  description: z.string().max(1024).optional(),
  enabled: z.boolean().default(true),
  severity: z.enum(SEVERITIES),
  labels: z.record(labelName, z.string().max(256)).default({}),
  group_by: z.array(z.enum(GROUP_LABELS)).default([]),
  for: duration.default('0s'),
  repeat_interval: duration.optional(),
  receivers: z.array(subjectToken).default([]),
};

/** Compared with `above` (fires when greater) or `below` (fires when less); `clear` adds hysteresis. */
const comparison = { above: finite.optional(), below: finite.optional(), clear: finite.optional() };

const threshold = z.strictObject({
  ...common,
  kind: z.literal('threshold'),
  metric: z.string(),
  aggregate: z.enum(AGGREGATES).default('avg'),
  window: duration.optional(),
  ...comparison,
});

const rateOfChange = z.strictObject({
  ...common,
  kind: z.literal('rate_of_change'),
  metric: z.string(),
  aggregate: z.enum(AGGREGATES).default('avg'),
  window: duration,
  /** Percent change; the previous window's value must reach `min_base` for a change to count. */
  above: finite.optional(),
  below: finite.optional(),
  clear: finite.optional(),
  min_base: finite.nonnegative().default(0),
});

const distinctCount = z.strictObject({
  ...common,
  kind: z.literal('distinct_count'),
  metric: z.string(),
  aggregate: z.enum(AGGREGATES).default('max'),
  window: duration.optional(),
  ...comparison,
});

const ratio = z.strictObject({
  ...common,
  kind: z.literal('ratio'),
  numerator: z.string(),
  denominator: z.string(),
  window: duration.optional(),
  ...comparison,
  /** Below this many (summed over the window) the ratio is not judged: 1 NXDOMAIN of 1 answer is no incident. */
  min_denominator: finite.nonnegative().default(1),
});

const dropRate = z.strictObject({
  ...common,
  kind: z.literal('drop_rate'),
  window: duration.optional(),
  above: finite.min(0).max(1),
  clear: finite.min(0).max(1).optional(),
  min_packets: finite.nonnegative().default(0),
});

const absence = z.strictObject({
  ...common,
  kind: z.literal('absence'),
  of: z.enum(['heartbeat', 'summary']).default('heartbeat'),
  after: duration,
  /** Sensors expected to report: silent from the engine's start, they fire too. */
  sensors: z.array(subjectToken).default([]),
});

const firstSeen = z.strictObject({
  ...common,
  kind: z.literal('first_seen'),
  entity: z.enum(['host', 'port', 'dns_name']),
  learning: duration,
  /** How long the alert of a new entity stays firing before it resolves. */
  resolve_after: duration.default('5m'),
  max_remembered: z.number().int().min(1).max(1_000_000).default(10_000),
  /** For dns_name: judge only the last N labels (2: `a.b.example.com` → `example.com`). */
  dns_levels: z.number().int().min(1).max(127).optional(),
});

export const RULE_SCHEMAS = {
  threshold,
  rate_of_change: rateOfChange,
  distinct_count: distinctCount,
  ratio,
  drop_rate: dropRate,
  absence,
  first_seen: firstSeen,
} satisfies Record<RuleKind, z.ZodType>;

export type ThresholdRule = z.infer<typeof threshold>;
export type RateOfChangeRule = z.infer<typeof rateOfChange>;
export type DistinctCountRule = z.infer<typeof distinctCount>;
export type RatioRule = z.infer<typeof ratio>;
export type DropRateRule = z.infer<typeof dropRate>;
export type AbsenceRule = z.infer<typeof absence>;
export type FirstSeenRule = z.infer<typeof firstSeen>;
export type Rule =
  ThresholdRule | RateOfChangeRule | DistinctCountRule | RatioRule | DropRateRule | AbsenceRule | FirstSeenRule;

export const ruleFileSchema = z.strictObject({ rules: z.array(z.unknown()) });

/** A validated rule file: every rule, enabled or not, in file order. */
export interface RuleSet {
  source: string;
  rules: Rule[];
}

export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`not a duration: ${text}`);
  return ms;
}
