import { describe, expect, it } from 'vitest';
import { DUPLICATE_ID_RULE } from './duplicate-id-alert.js';
import { RuleEngine } from './engine.js';
import type { EngineState } from './engine-state.js';
import { parseRuleSet } from './rule-file.js';
import { heartbeat, NO_TOP, rules, summaryAt } from './testing/summaries.js';

const RULES = rules(`rules:
  - name: busy
    kind: threshold
    severity: warning
    group_by: [sensor]
    metric: bytes
    aggregate: sum
    above: 1000000000
    receivers: [ops]
  - name: quiet
    kind: absence
    severity: critical
    of: heartbeat
    group_by: [sensor]
    sensors: [edge-1]
    after: 1h
    receivers: [pager, ops]
`);

const summaryOf = (sensor: string, run: string, start: number) => ({ ...summaryAt(start, { sensor }), run });
const heartbeatOf = (sensor: string, run: string, sent: number) => ({ ...heartbeat(sensor, sent), run });
const describeAll = (ts: ReturnType<RuleEngine['tick']>) =>
  ts.map((t) => `${t.rule} ${t.state} ${t.group.sensor} ${t.value} ${t.receivers.join(',')}`);

describe('sensor-duplicate-id', () => {
  it('two runs of one sensor id alternating their summaries fire it once, routed to every receiver of the rules; it resolves once they stop', () => {
    const engine = new RuleEngine(RULES, { now: 0, duplicateIdQuietMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      engine.observeSummary(summaryOf('edge-1', 'aaaa', i * 1000), NO_TOP, i * 1000 + 10);
      engine.observeSummary(summaryOf('edge-1', 'bbbb', i * 1000), NO_TOP, i * 1000 + 20);
    }
    expect(engine.stats().duplicateIds).toEqual(['edge-1']);
    expect(engine.stats().runInterleavings).toBe(4);
    expect(describeAll(engine.tick(3000))).toEqual(['sensor-duplicate-id firing edge-1 2 ops,pager']);
    expect(engine.tick(4000)).toEqual([]);
    // Another sensor id is not concerned.
    expect(engine.activeAlerts().map((a) => `${a.rule} ${a.group.sensor}`)).toEqual(['sensor-duplicate-id edge-1']);
    // Only run bbbb speaks from now on: quiet for a minute after the last interleaving, it resolves.
    engine.observeSummary(summaryOf('edge-1', 'bbbb', 5000), NO_TOP, 5010);
    expect(engine.tick(2020 + 59_000)).toEqual([]);
    expect(describeAll(engine.tick(2020 + 60_000))).toEqual(['sensor-duplicate-id resolved edge-1 2 ops,pager']);
    expect(engine.stats().duplicateIds).toEqual([]);
  });

  it("a restart (old run stops, new run starts) is not flagged, nor the old run's spooled summaries sent while the new run heartbeats", () => {
    const engine = new RuleEngine(RULES, { now: 0 });
    let at = 0;
    for (let i = 0; i < 5; i++) {
      engine.observeSummary(summaryOf('edge-1', 'old1', i * 1000), NO_TOP, (at += 100));
      engine.observeHeartbeat(heartbeatOf('edge-1', 'old1', at), (at += 100));
    }
    // The new run publishes what the old one left in the spool, then its own; its heartbeats go straight out meanwhile.
    for (let i = 5; i < 10; i++) {
      engine.observeSummary(summaryOf('edge-1', 'old1', i * 1000), NO_TOP, (at += 100));
      engine.observeHeartbeat(heartbeatOf('edge-1', 'new2', at), (at += 100));
    }
    for (let i = 10; i < 15; i++) engine.observeSummary(summaryOf('edge-1', 'new2', i * 1000), NO_TOP, (at += 100));
    // A crash loop: a new run each time, never one coming back.
    for (let r = 3; r < 10; r++) engine.observeSummary(summaryOf('edge-1', `run${r}`, r * 1000), NO_TOP, (at += 100));
    expect(engine.tick(at + 1000)).toEqual([]);
    expect(engine.stats()).toMatchObject({ duplicateIds: [], runInterleavings: 0 });
  });

  it("one late redelivery of the old run's summary is not an episode; heartbeats of two runs interleaving are", () => {
    const engine = new RuleEngine(RULES, { now: 0 });
    engine.observeSummary(summaryOf('edge-2', 'old1', 0), NO_TOP, 100);
    engine.observeSummary(summaryOf('edge-2', 'new2', 1000), NO_TOP, 200);
    engine.observeSummary(summaryOf('edge-2', 'old1', 0), NO_TOP, 300);
    engine.observeSummary(summaryOf('edge-2', 'new2', 2000), NO_TOP, 400);
    expect(engine.tick(500)).toEqual([]);
    for (let i = 0; i < 3; i++) {
      engine.observeHeartbeat(heartbeatOf('edge-3', 'h1', i * 5000), i * 5000);
      engine.observeHeartbeat(heartbeatOf('edge-3', 'h2', i * 5000 + 10), i * 5000 + 10);
    }
    expect(describeAll(engine.tick(11_000))).toEqual(['sensor-duplicate-id firing edge-3 2 ops,pager']);
  });

  it('survives a restore: the alert stays firing without a second notification', () => {
    const engine = new RuleEngine(RULES, { now: 0 });
    for (let i = 0; i < 3; i++) {
      engine.observeHeartbeat(heartbeatOf('edge-1', 'aaaa', i), i * 10);
      engine.observeHeartbeat(heartbeatOf('edge-1', 'bbbb', i), i * 10 + 5);
    }
    expect(engine.tick(100).map((t) => t.state)).toEqual(['firing']);
    const restored = RuleEngine.restore(RULES, JSON.parse(JSON.stringify(engine.snapshot())) as EngineState, {
      now: 200,
    });
    expect(restored.tick(300)).toEqual([]);
    expect(restored.activeAlerts().map((a) => `${a.rule} ${a.state}`)).toEqual(['sensor-duplicate-id firing']);
  });

  it('a rule file may not take the name', () => {
    const parsed = parseRuleSet(
      `rules:\n  - name: ${DUPLICATE_ID_RULE}\n    kind: absence\n    severity: warning\n    of: heartbeat\n    group_by: [sensor]\n    sensors: [a]\n    after: 1m\n`,
      'r.yaml',
    );
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.errors.join('\n')).toContain(
      '"sensor-duplicate-id" is the name of a built-in alert',
    );
  });
});
