import { DUPLICATE_ID_RULE } from './duplicate-id-alert.js';
import { GROUP_LIMIT_RULE } from './group-limit-alert.js';
import { DISTINCT_METRICS, resolveMetric, type Dimension } from './metrics.js';
import type { GroupLabel, Rule } from './rule-schema.js';

export interface RuleIssue {
  /** Path inside the rule, e.g. ['clear'] or ['group_by', 1]. */
  path: (string | number)[];
  message: string;
}

const STREAM_LABELS: readonly GroupLabel[] = ['sensor', 'interface'];

/** What the schema cannot say: metric names, group-by that fits the metric, comparisons that make sense. */
export function checkRule(rule: Rule): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (rule.name === GROUP_LIMIT_RULE || rule.name === DUPLICATE_ID_RULE)
    issues.push({ path: ['name'], message: `"${rule.name}" is the name of a built-in alert` });
  switch (rule.kind) {
    case 'threshold':
    case 'rate_of_change':
    case 'distinct_count': {
      if (rule.kind === 'distinct_count' && !DISTINCT_METRICS.includes(rule.metric)) {
        issues.push({ path: ['metric'], message: `expected one of ${DISTINCT_METRICS.join(', ')}` });
        break;
      }
      const dimension = checkMetric(rule.metric, ['metric'], issues);
      if (dimension !== undefined) checkGroupBy(rule.group_by, dimension, issues);
      checkComparison(rule, issues);
      break;
    }
    case 'ratio':
      for (const field of ['numerator', 'denominator'] as const) {
        const dimension = checkMetric(rule[field], [field], issues);
        if (dimension !== undefined && dimension !== null)
          issues.push({
            path: [field],
            message: `a ratio needs a per-interface metric, not the per-${dimension} "${rule[field]}"`,
          });
      }
      checkGroupBy(rule.group_by, null, issues);
      checkComparison(rule, issues);
      break;
    case 'drop_rate':
      checkGroupBy(rule.group_by, null, issues);
      checkComparison(rule, issues);
      break;
    case 'absence': {
      const allowed: GroupLabel[] = rule.of === 'summary' ? ['sensor', 'interface'] : ['sensor'];
      checkAllowed(rule.group_by, allowed, issues);
      if (!rule.group_by.includes('sensor'))
        issues.push({ path: ['group_by'], message: 'an absence rule must group by sensor' });
      if (rule.sensors.length > 0 && rule.group_by.includes('interface'))
        issues.push({
          path: ['sensors'],
          message: 'expected sensors can only be listed when grouping by sensor alone',
        });
      break;
    }
    case 'first_seen':
      checkAllowed(rule.group_by, STREAM_LABELS, issues);
      if (rule.dns_levels !== undefined && rule.entity !== 'dns_name')
        issues.push({ path: ['dns_levels'], message: 'only for entity dns_name' });
      break;
  }
  return issues;
}

/** The metric's dimension (null for a per-interface metric), or undefined when the name is unknown. */
function checkMetric(name: string, path: string[], issues: RuleIssue[]): Dimension | null | undefined {
  const metric = resolveMetric(name);
  if (typeof metric === 'string') {
    issues.push({ path, message: metric });
    return undefined;
  }
  return metric.kind === 'keyed' ? metric.dimension : null;
}

function checkGroupBy(groupBy: GroupLabel[], dimension: Dimension | null, issues: RuleIssue[]): void {
  checkAllowed(groupBy, dimension === null ? STREAM_LABELS : [...STREAM_LABELS, dimension], issues);
  if (dimension !== null && !groupBy.includes(dimension)) {
    issues.push({ path: ['group_by'], message: `a per-${dimension} metric needs group_by to include ${dimension}` });
  }
}

function checkAllowed(groupBy: GroupLabel[], allowed: readonly GroupLabel[], issues: RuleIssue[]): void {
  groupBy.forEach((label, i) => {
    if (!allowed.includes(label))
      issues.push({
        path: ['group_by', i],
        message: `cannot group this rule by ${label} (allowed: ${allowed.join(', ')})`,
      });
    else if (groupBy.indexOf(label) !== i) issues.push({ path: ['group_by', i], message: `${label} is listed twice` });
  });
}

function checkComparison(rule: { above?: number; below?: number; clear?: number }, issues: RuleIssue[]): void {
  if ((rule.above === undefined) === (rule.below === undefined)) {
    issues.push({
      path: [rule.above === undefined ? 'above' : 'below'],
      message: 'give exactly one of above or below',
    });
    return;
  }
  if (rule.clear === undefined) return;
  if (rule.above !== undefined && rule.clear > rule.above) {
    issues.push({
      path: ['clear'],
      message: `must be at most above (${rule.above}): the alert resolves when the value falls to clear`,
    });
  }
  if (rule.below !== undefined && rule.clear < rule.below) {
    issues.push({
      path: ['clear'],
      message: `must be at least below (${rule.below}): the alert resolves when the value rises to clear`,
    });
  }
}
