import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { loadRuleFile, parseRuleSet } from './rule-file.js';

function errorsOf(text: string, file = 'rules.yaml'): string[] {
  const result = parseRuleSet(text, file);
  if (result.ok) throw new Error('expected the rule file to be refused');
  return result.errors;
}

const GOOD_RULE = `  - name: fine
    kind: threshold
    severity: info
    metric: bytes
    above: 10
`;

describe('rule file validation', () => {
  it('accepts a valid file and fills the defaults', () => {
    const result = parseRuleSet(`rules:\n${GOOD_RULE}`, 'rules.yaml');
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.ruleSet.rules).toEqual([
      {
        name: 'fine',
        kind: 'threshold',
        severity: 'info',
        metric: 'bytes',
        above: 10,
        aggregate: 'avg',
        enabled: true,
        labels: {},
        group_by: [],
        for: '0s',
        receivers: [],
      },
    ]);
  });

  it('names file, line and field of a wrong type, an unknown field, a bad enum and a bad duration', () => {
    const text = `rules:
${GOOD_RULE}  - name: second
    kind: threshold
    severity: loud
    metric: bytes
    above: "lots"
    thresold: 3
    for: 3 minutes
`;
    expect(errorsOf(text)).toEqual([
      'rules.yaml:9 rules[1].severity: expected one of info, warning, critical',
      'rules.yaml:11 rules[1].above: expected a number',
      'rules.yaml:12 rules[1].thresold: unknown field',
      'rules.yaml:13 rules[1].for: expected a duration like 500ms, 30s, 5m, 1h',
    ]);
  });

  it('points a missing field at its rule, and an unknown kind at the kind', () => {
    const text = `rules:
  - name: no-severity
    kind: threshold
    metric: bytes
    above: 1
  - name: odd
    kind: sometimes
    severity: info
  - just a string
`;
    expect(errorsOf(text, 'conf/alerts.yaml')).toEqual([
      'conf/alerts.yaml:2 rules[0].severity: required: one of info, warning, critical',
      'conf/alerts.yaml:7 rules[1].kind: expected one of threshold, rate_of_change, distinct_count, ratio, absence, drop_rate, first_seen',
      'conf/alerts.yaml:9 rules[2]: expected a mapping (a rule with name, kind, severity ...)',
    ]);
  });

  it('checks metric names, group_by against the metric, above/below and clear', () => {
    const text = `rules:
  - name: talker
    kind: threshold
    severity: info
    metric: source.bytes
    group_by: [sensor]
    above: 10
  - name: typo
    kind: threshold
    severity: info
    metric: byts
    above: 1
  - name: both
    kind: threshold
    severity: info
    metric: bytes
    above: 1
    below: 0
  - name: backwards
    kind: ratio
    severity: info
    numerator: dns.nxdomain
    denominator: dns.responses
    group_by: [sensor, port]
    above: 0.5
    clear: 0.7
`;
    expect(errorsOf(text)).toEqual([
      'rules.yaml:6 rules[0].group_by: a per-source metric needs group_by to include source',
      'rules.yaml:11 rules[1].metric: unknown metric "byts" (see docs/alert-rules.md for the vocabulary)',
      'rules.yaml:18 rules[2].below: give exactly one of above or below',
      'rules.yaml:24 rules[3].group_by[1]: cannot group this rule by port (allowed: sensor, interface)',
      'rules.yaml:26 rules[3].clear: must be at most above (0.5): the alert resolves when the value falls to clear',
    ]);
  });

  it('refuses duplicate names, bad names and labels, and a misplaced top level', () => {
    expect(
      errorsOf(`rules:
${GOOD_RULE}${GOOD_RULE.replace('info', 'warning')}  - name: has space
    kind: absence
    severity: info
    after: 1m
    group_by: [interface]
    labels:
      bad-label: x
`),
    ).toEqual([
      'rules.yaml:7 rules[1].name: duplicate rule name "fine" (also rules[0])',
      'rules.yaml:12 rules[2].name: expected 1-64 letters, digits, "_" or "-"',
      'rules.yaml:18 rules[2].labels.bad-label: expected a label name (letters, digits, "_")',
    ]);
    expect(errorsOf('rules: 3\nextra: true\n')).toEqual([
      'rules.yaml:1 rules: expected a list',
      'rules.yaml:2 extra: unknown field',
    ]);
    expect(errorsOf('')).toEqual(['rules.yaml:1 rules: required: a list']);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(errorsOf('rules:\n  - name: x\n    kind: [threshold\n')).toEqual([
      expect.stringMatching(/^rules\.yaml:\d+ \S/),
    ]);
    const [error] = errorsOf('rules:\n  - name: a\n  - name: b\n    name: c\n');
    expect(error).toMatch(/^rules\.yaml:4 .*unique/i);
  });

  it('reads a file, and says in one line when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    const file = join(dir, 'r.yaml');
    writeFileSync(file, `rules:\n${GOOD_RULE}`);
    expect(loadRuleFile(file).ok).toBe(true);
    expect(loadRuleFile(join(dir, 'missing.yaml'))).toEqual({
      ok: false,
      errors: [`${join(dir, 'missing.yaml')}: cannot read (ENOENT)`],
    });
  });

  it('parses durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('5 m')).toBeUndefined();
    expect(parseDuration('1.5s')).toBeUndefined();
  });
});
