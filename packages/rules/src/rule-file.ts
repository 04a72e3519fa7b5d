import { readFileSync } from 'node:fs';
import { parseLocatedYaml, type YamlLimits } from '@wirewatch/located-yaml';
import type { z } from 'zod';
import { checkRule } from './rule-checks.js';
import { RULE_KINDS, RULE_SCHEMAS, ruleFileSchema, type Rule, type RuleKind, type RuleSet } from './rule-schema.js';

export type RuleSetResult = { ok: true; ruleSet: RuleSet } | { ok: false; errors: string[] };

type Path = (string | number)[];

/** Reads and validates a rule file; every problem comes back as one `file:line path: message` line. */
export function loadRuleFile(file: string): RuleSetResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return {
      ok: false,
      errors: [`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`],
    };
  }
  return parseRuleSet(text, file);
}

/**
 * Bounds on rules sent over the network (the alerter's API), so that one request costs at most about
 * 100 ms of parsing (measured: rule-file-limits.test.ts). 32 KiB is some 70 rules (the shipped file,
 * ten rules, is 4.4 KiB) and about 9 000 tokens; the token cap stops a text of the same size made of
 * cheaper-to-write but costlier-to-parse pieces (`- 1` lines, `1,1,1`). Larger rule sets belong in
 * the rules file, which is read without these limits.
 */
export const RULE_UPLOAD_LIMITS: YamlLimits = { maxBytes: 32 * 1024, maxTokens: 10_000, maxDepth: 32, maxAliases: 100 };

/** Validates rule-file text; `file` names it in the errors. `limits`: see RULE_UPLOAD_LIMITS. */
export function parseRuleSet(text: string, file: string, limits?: YamlLimits): RuleSetResult {
  const doc = parseLocatedYaml(text, file, limits);
  if (!doc.ok) return { ok: false, errors: doc.problems };
  const found: { line: number; text: string }[] = [];
  const report = (path: Path, message: string) => {
    const line = doc.lineOf(path) ?? 1;
    found.push({ line, text: `${file}:${line} ${formatPath(path)}: ${message}` });
  };
  const errors = () => found.sort((a, b) => a.line - b.line).map((e) => e.text);
  const top = ruleFileSchema.safeParse(doc.value ?? {}, { reportInput: true });
  if (!top.success) {
    for (const issue of top.error.issues) reportIssue(issue, [], report);
    return { ok: false, errors: errors() };
  }
  const rules: Rule[] = [];
  const firstIndexByName = new Map<string, number>();
  top.data.rules.forEach((raw, index) => {
    const rule = parseRule(raw, ['rules', index], report);
    if (rule === undefined) return;
    const earlier = firstIndexByName.get(rule.name);
    if (earlier !== undefined)
      report(['rules', index, 'name'], `duplicate rule name "${rule.name}" (also rules[${earlier}])`);
    else firstIndexByName.set(rule.name, index);
    rules.push(rule);
  });
  return found.length > 0 ? { ok: false, errors: errors() } : { ok: true, ruleSet: { source: file, rules } };
}

function parseRule(raw: unknown, at: Path, report: (path: Path, message: string) => void): Rule | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    report(at, 'expected a mapping (a rule with name, kind, severity ...)');
    return undefined;
  }
  const kind = (raw as { kind?: unknown }).kind;
  if (!RULE_KINDS.includes(kind as RuleKind)) {
    report(
      [...at, 'kind'],
      kind === undefined ? `required: one of ${RULE_KINDS.join(', ')}` : `expected one of ${RULE_KINDS.join(', ')}`,
    );
    return undefined;
  }
  const parsed = RULE_SCHEMAS[kind as RuleKind].safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportIssue(issue, at, report);
    return undefined;
  }
  const rule = parsed.data;
  const issues = checkRule(rule);
  for (const issue of issues) report([...at, ...issue.path], issue.message);
  return issues.length === 0 ? rule : undefined;
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  int: 'an integer',
};

function reportIssue(issue: z.core.$ZodIssue, at: Path, report: (path: Path, message: string) => void): void {
  const path: Path = [...at, ...(issue.path as Path)];
  switch (issue.code) {
    case 'unrecognized_keys':
      for (const key of issue.keys) report([...path, key], 'unknown field');
      return;
    case 'invalid_type':
      report(
        path,
        issue.input === undefined
          ? `required: ${TYPE_NAMES[issue.expected] ?? issue.expected}`
          : `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`,
      );
      return;
    case 'invalid_value':
      report(
        path,
        `${issue.input === undefined ? 'required: ' : 'expected '}${issue.values.length === 1 ? String(issue.values[0]) : `one of ${issue.values.join(', ')}`}`,
      );
      return;
    case 'too_small':
      report(
        path,
        issue.origin === 'array' || issue.origin === 'string'
          ? `too short (at least ${issue.minimum})`
          : `must be at least ${issue.minimum}`,
      );
      return;
    case 'too_big':
      report(
        path,
        issue.origin === 'array' || issue.origin === 'string'
          ? `too long (at most ${issue.maximum})`
          : `must be at most ${issue.maximum}`,
      );
      return;
    case 'invalid_key':
      report(path, issue.issues[0]?.message ?? 'invalid key');
      return;
    default:
      report(path, issue.message);
  }
}

/** `rules[2].group_by[0]` */
function formatPath(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(file)' : out;
}
