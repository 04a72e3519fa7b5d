import { describe, expect, it } from 'vitest';
import { parseRuleSet, RULE_UPLOAD_LIMITS, type RuleSetResult } from './rule-file.js';
import { aliasBomb, HOSTILE_RULE_TEXTS, realisticRules } from './test-support/hostile-rule-texts.js';

const MAX_BYTES = RULE_UPLOAD_LIMITS.maxBytes!;
/** Generous against a busy CI machine; the budget aimed at is ~100 ms. */
const EVENT_LOOP_BOUND_MS = 200;

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
    expect(result).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^request: .*resource exhaustion.*at most 100 alias expansions/)],
    });
  });

  it('refuses nesting deeper than the limit, naming the line', () => {
    const { result } = timed(`rules:\n  - name: x\n    labels: ${'['.repeat(40)}${']'.repeat(40)}\n`);
    expect(result).toEqual({ ok: false, errors: ['request:3 nested deeper than 32 levels'] });
  });

  it('refuses more than 32 KiB, counted in UTF-8 bytes', () => {
    expect(timed(HOSTILE_RULE_TEXTS['over 32 KiB']()).result).toEqual({
      ok: false,
      errors: [`request: ${MAX_BYTES + 11} bytes, more than the ${MAX_BYTES} allowed`],
    });
    expect(timed(HOSTILE_RULE_TEXTS['over 32 KiB in multi-byte characters']()).result).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/bytes, more than the 32768 allowed$/)],
    });
  });

  it('refuses a text of too many tokens', () => {
    expect(timed(HOSTILE_RULE_TEXTS['32 KiB flow sequence of numbers']()).result).toEqual({
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
    console.log(
      `realistic: ${(text.length / 1024).toFixed(1)} KiB, ${ms.toFixed(1)} ms CPU, ${wallMs.toFixed(1)} ms wall`,
    );
    if (!result.ok) throw new Error(result.errors.slice(0, 3).join('\n'));
    expect(result.ruleSet.rules.length).toBeGreaterThan(60);
    expect(ms).toBeLessThan(EVENT_LOOP_BOUND_MS);
  });

  it.each(Object.keys(HOSTILE_RULE_TEXTS))('%s: refused within the event-loop bound', (name) => {
    const text = HOSTILE_RULE_TEXTS[name]();
    timed(text); // warm-up: the bound is about the parsing, not the first compilation of the code
    const { result, ms, wallMs } = timed(text);
    console.log(
      `${name}: ${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB, ${ms.toFixed(1)} ms CPU, ${wallMs.toFixed(1)} ms wall: ${result.ok ? 'accepted' : result.errors[0].slice(0, 100)}`,
    );
    expect(result.ok).toBe(false);
    expect(ms).toBeLessThan(EVENT_LOOP_BOUND_MS);
  });
});
