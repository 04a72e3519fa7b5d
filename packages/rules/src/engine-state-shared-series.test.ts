import { describe, expect, it } from 'vitest';
import type { AlertTransition } from './alert-transition.js';
import { ENGINE_STATE_VERSION, type EngineState } from './engine-state.js';
import { RuleEngine } from './engine.js';
import { heartbeat, NO_TOP, rules, summaryAt } from './testing/summaries.js';

function bytesRule(name: string, body: string, groupBy = '[sensor, interface]'): string {
  return `  - name: ${name}\n    severity: warning\n    group_by: ${groupBy}\n    metric: bytes\n${body}`;
}
// sum4, jump and avg4 share one series per sensor interface; peak keeps less history; fleet groups all sensors.
const SUM4 = bytesRule(
  'sum4',
  '    kind: threshold\n    aggregate: sum\n    window: 4s\n    above: 5000\n    for: 1s\n    repeat_interval: 3s\n',
);
const PEAK = bytesRule('peak', '    kind: threshold\n    aggregate: max\n    window: 1s\n    above: 2500\n');
const JUMP = bytesRule(
  'jump',
  '    kind: rate_of_change\n    aggregate: avg\n    window: 2s\n    above: 100\n    min_base: 1\n',
);
const AVG4 = bytesRule('avg4', '    kind: threshold\n    aggregate: avg\n    window: 4s\n    above: 1500\n');
const FLEET = bytesRule('fleet', '    kind: threshold\n    aggregate: sum\n    window: 2s\n    above: 8000\n', '[]');
const SILENT = '  - name: silent\n    kind: absence\n    severity: critical\n    group_by: [sensor]\n    after: 3s\n';
const ALL = rules(`rules:\n${SUM4}${PEAK}${JUMP}${AVG4}${FLEET}${SILENT}`);
// sum4 and fleet unchanged, peak removed, avg4 changed, sum4b new though it reads like sum4.
const RELOADED = rules(
  `rules:\n${SUM4}${JUMP}${AVG4.replace('above: 1500', 'above: 1000')}${FLEET}${SUM4.replace('name: sum4', 'name: sum4b')}${SILENT}`,
);

type Step = (engine: RuleEngine) => AlertTransition[];

/** edge-1 and edge-2 send one summary and one heartbeat per 1 s interval; edge-2 falls silent after interval 9. */
function scenario(): { steps: Step[]; splitAt: number[] } {
  const edge1 = [500, 500, 3000, 3000, 3000, 3000, 0, 0, 0, 0, 3000, 3000, 4000, 4000, 0, 0, 0, 0, 0, 0];
  const edge2 = [1000, 6000, 6000, 1000, 1000, 1000, 6000, 6000, 6000, 6000];
  const steps: Step[] = [];
  const splitAt: number[] = [];
  edge1.forEach((bytes, i) => {
    const start = i * 1000;
    const at = start + 1000;
    steps.push((e) => e.observeSummary(summaryAt(start, { sensor: 'edge-1', bytes }), NO_TOP, at));
    // A snapshot here holds the fleet's interval half collected.
    splitAt.push(steps.length);
    if (i < edge2.length)
      steps.push((e) => e.observeSummary(summaryAt(start, { sensor: 'edge-2', bytes: edge2[i] }), NO_TOP, at));
    steps.push((e) => e.observeHeartbeat(heartbeat('edge-1', at), at));
    if (i < edge2.length) steps.push((e) => e.observeHeartbeat(heartbeat('edge-2', at), at));
    steps.push((e) => e.tick(at));
  });
  return { steps, splitAt };
}

function run(engine: RuleEngine, steps: Step[]): AlertTransition[] {
  return steps.flatMap((step) => step(engine));
}

function roundTrip(state: EngineState): EngineState {
  return JSON.parse(JSON.stringify(state)) as EngineState;
}

/** The time of the step about to run: the restart's `now`. */
function timeOf(step: number): number {
  return (Math.floor((step - 1) / 5) + 1) * 1000;
}

describe('snapshot of shared window series', () => {
  it('stores each shared series once, rules refer to it by index', () => {
    const { steps, splitAt } = scenario();
    const engine = new RuleEngine(ALL, { now: 0 });
    run(engine, steps.slice(0, splitAt[5]));
    const state = roundTrip(engine.snapshot());
    expect(state.version).toBe(ENGINE_STATE_VERSION);
    // sum4/jump/avg4, peak, fleet.
    expect(state.series).toHaveLength(3);
    expect(state.rules.jump.series).toBe(state.rules.sum4.series);
    expect(state.rules.avg4.series).toBe(state.rules.sum4.series);
    expect(new Set([state.rules.sum4.series, state.rules.peak.series, state.rules.fleet.series]).size).toBe(3);
    expect(state.rules.silent.series).toBeUndefined();
    expect(state.series[state.rules.sum4.series!].groups.map((g) => g.suffix)).toEqual([
      '{interface="eth0",sensor="edge-1"}',
      '{interface="eth0",sensor="edge-2"}',
    ]);
    // The fleet's interval 5 has edge-1's summary only: still open.
    expect(state.series[state.rules.fleet.series!].groups[0].open).toEqual([5000, 6000, 3000, 1, 1]);
  });

  // While every sensor reports: a restart gives a silent sensor or a quiet group a fresh clock (downtime is not silence).
  it.each([3, 5, 8, 9])(
    'a restart after interval %i (JSON round trip) continues exactly as an uninterrupted engine',
    (interval) => {
      const { steps, splitAt } = scenario();
      const split = splitAt[interval];
      const uninterrupted = run(new RuleEngine(ALL, { now: 0 }), steps);

      const first = new RuleEngine(ALL, { now: 0 });
      const before = run(first, steps.slice(0, split));
      expect(first.activeAlerts().length).toBeGreaterThan(0);
      const second = RuleEngine.restore(ALL, roundTrip(first.snapshot()), { now: timeOf(split) });
      expect(second.activeAlerts()).toEqual(first.activeAlerts());
      expect([...before, ...run(second, steps.slice(split))]).toEqual(uninterrupted);
      expect(uninterrupted.length).toBeGreaterThan(10);
    },
  );

  it('a restart under a changed rule set continues as an uninterrupted engine reloaded at that moment', () => {
    const { steps, splitAt } = scenario();
    const split = splitAt[5];
    const now = timeOf(split);
    const reloadedLive = new RuleEngine(ALL, { now: 0 });
    run(reloadedLive, steps.slice(0, split));
    const live = [
      ...reloadedLive.replaceRules(RELOADED, now),
      ...reloadedLive.tick(now),
      ...run(reloadedLive, steps.slice(split)),
    ];

    const first = new RuleEngine(ALL, { now: 0 });
    run(first, steps.slice(0, split));
    const second = RuleEngine.restore(RELOADED, roundTrip(first.snapshot()), { now });
    const restarted = [...second.tick(now), ...run(second, steps.slice(split))];

    expect(restarted).toEqual(live);
    const rulesSeen = new Set(live.map((t) => t.rule));
    for (const name of ['peak', 'avg4', 'sum4', 'sum4b', 'fleet', 'silent']) expect(rulesSeen).toContain(name);
  });

  it('refuses a version 1 state in one line', () => {
    const v1 = { version: 1, rules: {}, silences: [] } as unknown as EngineState;
    expect(() => RuleEngine.restore(ALL, v1, { now: 0 })).toThrow(/^engine state version 1, this build reads 2$/);
  });
});
