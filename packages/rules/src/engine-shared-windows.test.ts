import { describe, expect, it } from 'vitest';
import type { AlertTransition } from './alert-transition.js';
import type { EngineState } from './engine-state.js';
import { RuleEngine } from './engine.js';
import { brief, feedSeries } from './testing/driver.js';
import { rules } from './testing/summaries.js';

/** Rules reading `bytes` per sensor interface; sum4, jump and avg4 keep 4 s of history and share one series. */
function bytesRule(name: string, body: string): string {
  return `  - name: ${name}\n    severity: warning\n    group_by: [sensor, interface]\n    metric: bytes\n${body}`;
}
const SUM4 = bytesRule('sum4', '    kind: threshold\n    aggregate: sum\n    window: 4s\n    above: 5000\n');
const PEAK = bytesRule('peak', '    kind: threshold\n    aggregate: max\n    window: 1s\n    above: 2500\n');
const JUMP = bytesRule(
  'jump',
  '    kind: rate_of_change\n    aggregate: avg\n    window: 2s\n    above: 100\n    min_base: 1\n',
);
const AVG4 = bytesRule('avg4', '    kind: threshold\n    aggregate: avg\n    window: 4s\n    above: 1500\n');
const SUM4B = SUM4.replace('name: sum4', 'name: sum4b');

const bytes = (values: number[]) => values.map((b) => ({ bytes: b }));
const named = (out: AlertTransition[]) => out.map((t) => `${t.rule} ${brief(t)}`);

describe('rules sharing one window series', () => {
  it('each judges its own window and aggregate, transitions in rule order, keys by rule', () => {
    const engine = new RuleEngine(rules(`rules:\n${SUM4}${PEAK}${JUMP}${AVG4}`), { now: 0 });
    const out = feedSeries(engine, bytes([500, 500, 3000, 3000, 0, 0, 0, 0]));
    expect(named(out)).toEqual([
      'peak firing@3000', // max of [3000]
      'jump firing@3000', // avg(500, 3000) against avg(500): +250 %
      'sum4 firing@4000', // 500+500+3000+3000
      'avg4 firing@4000', // 1750
      'peak resolved@5000',
      'jump resolved@5000', // avg(3000, 0) against avg(500, 3000): -14 %
      'avg4 resolved@6000', // 1500 is not above 1500
      'sum4 resolved@7000', // 3000+0+0+0
    ]);
    expect(new Set(out.map((t) => t.dedupKey.slice(0, t.dedupKey.indexOf('{'))))).toEqual(
      new Set(['sum4', 'peak', 'jump', 'avg4']),
    );
    expect(out.every((t) => t.dedupKey === `${t.rule}{interface="eth0",sensor="edge-1"}`)).toBe(true);
    expect(Object.values(engine.stats().rules).map((s) => s.groups)).toEqual([1, 1, 1, 1]);
  });

  it('a rule added by a reload starts with no buckets although an unchanged rule reads alike', () => {
    const engine = new RuleEngine(rules(`rules:\n${SUM4}`), { now: 0 });
    expect(named(feedSeries(engine, bytes([3000, 3000])))).toEqual(['sum4 firing@2000']);
    expect(engine.replaceRules(rules(`rules:\n${SUM4}${SUM4B}`), 2_500)).toEqual([]);
    // sum4 still holds 6000; sum4b only what came since it was added.
    expect(feedSeries(engine, bytes([0, 3000]), 2)).toEqual([]);
    expect(named(feedSeries(engine, bytes([3000]), 4))).toEqual(['sum4b firing@5000']);
  });

  it('a restore keeps each rule its own history', () => {
    const engine = new RuleEngine(rules(`rules:\n${SUM4}`), { now: 0 });
    feedSeries(engine, bytes([3000, 3000]));
    engine.replaceRules(rules(`rules:\n${SUM4}${SUM4B}`), 2_500);
    feedSeries(engine, bytes([0]), 2);
    const state = JSON.parse(JSON.stringify(engine.snapshot())) as EngineState;

    const restored = RuleEngine.restore(rules(`rules:\n${SUM4}${SUM4B}${AVG4}`), state, { now: 3_000 });
    // avg4 is new: its first interval alone averages 3000.
    expect(named(feedSeries(restored, bytes([3000]), 3))).toEqual(['avg4 firing@4000']);
    // sum4 sums 3000+0+3000+3000 (firing already), sum4b 0+3000+3000.
    expect(named(feedSeries(restored, bytes([3000]), 4))).toEqual(['sum4b firing@5000']);
    expect(named(feedSeries(restored, bytes([0, 0, 0]), 5))).toEqual([
      'avg4 resolved@7000',
      'sum4 resolved@8000',
      'sum4b resolved@8000',
    ]);
  });
});
