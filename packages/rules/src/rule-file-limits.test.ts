import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_FILE } from './default-rules.js';
import { parseRuleSet, RULE_UPLOAD_LIMITS, type RuleSetResult } from './rule-file.js';

const MAX_BYTES = RULE_UPLOAD_LIMITS.maxBytes!;
/** Generous against a busy CI machine; the budget aimed at is ~100 ms. */
const EVENT_LOOP_BOUND_MS = 200;

/** Ten levels of ten aliases each: 10^10 strings once expanded. */
export function aliasBomb(): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let previous = 'a';
  for (const name of 'bcdefghij') {
    text += `${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]\n`;
    previous = name;
  }
  return `${text}rules: []\n`;
}

/** `head`, `item` repeated while the text stays within `bytes`, `tail`. */
function filled(head: string, item: string, tail: string, bytes = MAX_BYTES): string {
  const count = Math.floor((bytes - head.length - tail.length) / item.length);
  return head + item.repeat(count) + tail;
}

const tooComplex = (text: string) => {
  const result = parseRuleSet(text, 'request', RULE_UPLOAD_LIMITS);
  return !result.ok && result.errors.some((error) => error.includes('YAML tokens') || error.includes('bytes, more than'));
};

/** `head`, `item` repeated as often as the token limit lets through, `tail`: the costliest text of that shape that gets parsed. */
function justUnderTokenLimit(head: string, item: string, tail: string): string {
  const text = (count: number) => head + item.repeat(count) + tail;
  let [low, high] = [0, RULE_UPLOAD_LIMITS.maxTokens!];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (tooComplex(text(middle))) high = middle - 1;
    else low = middle;
  }
  return text(low);
}

/** The shipped rules, copied under new names until 32 KiB: the biggest realistic upload. */
function realisticRules(): string {
  const rules = readFileSync(DEFAULT_RULES_FILE, 'utf8').split('\nrules:\n')[1]!;
  let text = 'rules:\n';
  for (let copy = 0; ; copy++) {
    const next = rules.replace(/name: (\S+)/g, `name: $1-${copy}`);
    if (text.length + next.length > MAX_BYTES) return text;
    text += next;
  }
}

/** The worst inputs found: each is at or just past one of the limits. */
/** The worst inputs found: each is at or just past one of the limits. */
export const HOSTILE_RULE_TEXTS: Record<string, () => string> = {
  'alias bomb': aliasBomb,
  'deep flow nesting': () => `rules: ${'['.repeat(4000)}${']'.repeat(4000)}`,
  'deep flow nesting, 32 KiB': () => `rules: ${'['.repeat(MAX_BYTES / 2 - 8)}${']'.repeat(MAX_BYTES / 2 - 8)}`,
  'deep block nesting': () => `rules:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')}`,
  'deep compact sequences': () => `rules: ${'- '.repeat(MAX_BYTES / 2 - 8)}`,
  '32 KiB flow sequence of numbers': () => filled('rules: [', '1,', '1]'),
  'flow sequence of numbers under the token limit': () => justUnderTokenLimit('rules: [', '1,', '1]'),
  'block sequence under the token limit': () => justUnderTokenLimit('rules:\n', '- 1\n', ''),
  'keys of one mapping under the token limit': () => justUnderTokenLimit('rules: []\n', 'k: v\n', '').replace(/k: v/g, (_, at: number) => `k${at}: v`),
  'duplicate keys under the token limit': () => justUnderTokenLimit('rules: []\n', 'k: v\n', ''),
  'empty rules under the token limit': () => justUnderTokenLimit('rules: [', '{},', '{}]'),
  'rules without a kind under the token limit': () => justUnderTokenLimit('rules:\n', '- name: x\n', ''),
  'anchors under the token limit': () => justUnderTokenLimit('rules: [', '&a 1,', '1]'),
  'aliases under the token limit': () => justUnderTokenLimit('rules: [&a 1,', '*a,', '1]'),
  'one long comment line': () => `rules: [] #${'x'.repeat(MAX_BYTES - 20)}\nx: 1`,
  'escaped double-quoted string': () => `rules: []\nx: "${'\\u0041'.repeat((MAX_BYTES - 20) / 6)}"`,
  'over 32 KiB': () => `rules: []\n#${'x'.repeat(MAX_BYTES)}`,
  'over 32 KiB in multi-byte characters': () => `rules: []\n#${'é'.repeat(MAX_BYTES / 2 + 1)}`,
};

/**
 * The parse is synchronous, so its duration is the event-loop time it takes. Counted as the process's
 * CPU time, which does not grow when other processes share the cores (CI); wall time is logged too.
 */
function timed(text: string): { result: RuleSetResult; ms: number; wallMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = parseRuleSet(text, 'request', RULE_UPLOAD_LIMITS);
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { result, ms: (used.user + used.system) / 1000, wallMs };
}

describe('rule upload limits', () => {
  it('refuses an alias bomb with the reason', () => {
    const { result } = timed(aliasBomb());
    expect(result).toEqual({ ok: false, errors: [expect.stringMatching(/^request: .*resource exhaustion.*at most 100 alias expansions/)] });
  });

  it('refuses nesting deeper than the limit, naming the line', () => {
    const { result } = timed(`rules:\n  - name: x\n    labels: ${'['.repeat(40)}${']'.repeat(40)}\n`);
    expect(result).toEqual({ ok: false, errors: ['request:3 nested deeper than 32 levels'] });
  });

  it('refuses more than 32 KiB, counted in UTF-8 bytes', () => {
    expect(timed(HOSTILE_RULE_TEXTS['over 32 KiB']!()).result).toEqual({ ok: false, errors: [`request: ${MAX_BYTES + 11} bytes, more than the ${MAX_BYTES} allowed`] });
    expect(timed(HOSTILE_RULE_TEXTS['over 32 KiB in multi-byte characters']!()).result).toMatchObject({ ok: false, errors: [expect.stringMatching(/bytes, more than the 32768 allowed$/)] });
  });

  it('refuses a text of too many tokens', () => {
    expect(timed(HOSTILE_RULE_TEXTS['32 KiB flow sequence of numbers']!()).result).toEqual({
      ok: false,
      errors: ['request: more than 10000 YAML tokens (values, indicators, line breaks): too complex'],
    });
  });

  it('reports duplicate keys in one pass, at their lines', () => {
    const { result } = timed('rules: []\nk: 1\nj: 2\nk: 3\n');
    expect(result).toEqual({ ok: false, errors: ['request:4 Map keys must be unique'] });
  });

  it('accepts the biggest realistic upload: the shipped rules copied to 32 KiB', () => {
    const text = realisticRules();
    expect(text.length).toBeGreaterThan(MAX_BYTES - 5000);
    timed(text);
    const { result, ms, wallMs } = timed(text);
    console.log(`realistic: ${(text.length / 1024).toFixed(1)} KiB, ${ms.toFixed(1)} ms CPU, ${wallMs.toFixed(1)} ms wall`);
    if (!result.ok) throw new Error(result.errors.slice(0, 3).join('\n'));
    expect(result.ruleSet.rules.length).toBeGreaterThan(60);
    expect(ms).toBeLessThan(EVENT_LOOP_BOUND_MS);
  });

  it.each(Object.keys(HOSTILE_RULE_TEXTS))('%s: refused within the event-loop bound', (name) => {
    const text = HOSTILE_RULE_TEXTS[name]!();
    timed(text); // warm-up: the bound is about the parsing, not the first compilation of the code
    const { result, ms, wallMs } = timed(text);
    console.log(`${name}: ${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB, ${ms.toFixed(1)} ms CPU, ${wallMs.toFixed(1)} ms wall: ${result.ok ? 'accepted' : result.errors[0]!.slice(0, 100)}`);
    expect(result.ok).toBe(false);
    expect(ms).toBeLessThan(EVENT_LOOP_BOUND_MS);
  });
});
