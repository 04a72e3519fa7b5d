import { describe, expect, it } from 'vitest';
import type { EngineState } from './engine-state.js';
import { RuleEngine } from './engine.js';
import { brief, feedSeries } from './testing/driver.js';
import { heartbeat, NO_TOP, rules, summaryAt } from './testing/summaries.js';

const BUSY = `  - name: busy
    kind: threshold
    severity: warning
    group_by: [sensor, interface]
    metric: bytes_per_second
    window: 3s
    aggregate: avg
    above: 1000
    for: 2s
    repeat_interval: 10s
`;
const SILENT = `  - name: silent
    kind: absence
    severity: critical
    group_by: [sensor]
    after: 30s
`;
const BOTH = rules(`rules:\n${BUSY}${SILENT}`);
const high = (n: number) => Array.from({ length: n }, () => ({ bytes: 5000 }));

/** Through JSON, as the alerter keeps it in KV. */
function roundTrip(state: EngineState): EngineState {
  return JSON.parse(JSON.stringify(state)) as EngineState;
}

describe('repeat interval', () => {
  it('re-notifies a long incident every repeat_interval, flagged repeat', () => {
    const engine = new RuleEngine(BOTH, { now: 0 });
    expect(feedSeries(engine, high(25)).map(brief)).toEqual([
      'pending@1000',
      'firing@3000',
      'firing@13000 repeat',
      'firing@23000 repeat',
    ]);
  });
});

describe('silences', () => {
  it('flags transitions that match, ignores expired silences, and announces once the silence ends', () => {
    const engine = new RuleEngine(BOTH, { now: 0 });
    engine.addSilence({
      id: 's1',
      matchers: [
        { label: 'sensor', value: 'edge-1' },
        { label: 'rule', value: 'busy' },
      ],
      expiresAt: 5_000,
      comment: 'maintenance',
    });
    engine.addSilence({
      id: 's2',
      matchers: [{ label: 'sensor', value: 'other' }],
      expiresAt: 100_000,
      comment: 'not this one',
    });
    const out = feedSeries(engine, high(5));
    expect(out.map((t) => `${brief(t)} ${t.silencedBy.join(',')}`)).toEqual([
      'pending@1000 silenced s1',
      'firing@3000 silenced s1',
      'firing@5000 ',
    ]);
    expect(engine.tick(5_000)).toEqual([]);
    expect(engine.silences().map((s) => s.id)).toEqual(['s2']);
  });

  it('a silence removed early stops muting', () => {
    const engine = new RuleEngine(BOTH, { now: 0 });
    engine.addSilence({ id: 'm', matchers: [{ label: 'severity', value: 'warning' }], expiresAt: 1e12, comment: '' });
    expect(feedSeries(engine, high(3)).map(brief)).toEqual(['pending@1000 silenced', 'firing@3000 silenced']);
    expect(engine.removeSilence('m')).toBe(true);
    expect(feedSeries(engine, high(1), 3).map(brief)).toEqual(['firing@4000']);
  });

  it('refuses a silence without matchers', () => {
    const engine = new RuleEngine(BOTH, { now: 0 });
    expect(() => engine.addSilence({ id: 'all', matchers: [], expiresAt: 1e12, comment: '' })).toThrow(
      /at least one matcher/,
    );
  });
});

describe('snapshot and restore', () => {
  it('a restart mid-incident sends no second firing, keeps the repeat clock and still resolves', () => {
    const first = new RuleEngine(BOTH, { now: 0 });
    expect(feedSeries(first, high(5)).map(brief)).toEqual(['pending@1000', 'firing@3000']);
    const state = roundTrip(first.snapshot());

    const second = RuleEngine.restore(BOTH, state, { now: 6_000 });
    expect(second.activeAlerts().map((a) => [a.dedupKey, a.state, a.since])).toEqual([
      ['busy{interface="eth0",sensor="edge-1"}', 'firing', 1000],
    ]);
    expect(feedSeries(second, high(8), 5).map(brief)).toEqual(['firing@13000 repeat']);
    // The window survived too: two quiet intervals keep the 3 s average above 1000, the third does not.
    expect(
      feedSeries(second, [{ bytes: 0 }, { bytes: 0 }, { bytes: 0 }], 13).map((t) => `${brief(t)} ${t.since}`),
    ).toEqual(['resolved@16000 1000']);
  });

  it('a pending alert restored keeps its start: it fires when its hold ends, not a hold after the restart', () => {
    const first = new RuleEngine(BOTH, { now: 0 });
    feedSeries(first, high(2));
    const second = RuleEngine.restore(BOTH, roundTrip(first.snapshot()), { now: 2_500 });
    expect(feedSeries(second, high(1), 2).map(brief)).toEqual(['firing@3000']);
  });

  it('the downtime of the alerter is not a silence of the sensors', () => {
    const first = new RuleEngine(BOTH, { now: 0 });
    first.observeHeartbeat(heartbeat('edge-1', 0), 0);
    first.observeHeartbeat(heartbeat('edge-2', 0), 0);
    expect(first.tick(31_000)).toHaveLength(2);
    first.observeHeartbeat(heartbeat('edge-2', 32_000), 32_000);
    const second = RuleEngine.restore(BOTH, roundTrip(first.snapshot()), { now: 100_000 });
    // edge-1 keeps firing (no new firing); edge-2 gets a fresh `after` from the restart.
    expect(second.tick(100_000)).toEqual([]);
    expect(second.tick(131_000).map((t) => `${t.group.sensor} ${t.state}`)).toEqual(['edge-2 firing']);
    expect(
      second
        .observeHeartbeat(heartbeat('edge-1', 132_000), 132_000)
        .map((t) => `${t.group.sensor} ${t.state} ${t.since}`),
    ).toEqual(['edge-1 resolved 31000']);
  });

  it('keeps silences and first-seen memory', () => {
    const set = rules(`rules:
  - name: new-host
    kind: first_seen
    severity: info
    entity: host
    learning: 1s
`);
    const first = new RuleEngine(set, { now: 0 });
    first.addSilence({
      id: 'x',
      matchers: [{ label: 'host', value: '10.0.0.99' }],
      expiresAt: 1e12,
      comment: 'lab box',
    });
    const hosts = (...ips: string[]) => ({ ...NO_TOP, sources: ips.map((ip) => ({ ip, packets: 1, bytes: 1 })) });
    first.observeSummary(summaryAt(0), hosts('10.0.0.1'), 500);
    const second = RuleEngine.restore(set, roundTrip(first.snapshot()), { now: 1_000 });
    const out = second.observeSummary(summaryAt(2_000), hosts('10.0.0.1', '10.0.0.99', '10.0.0.2'), 3_000);
    expect(out.map((t) => `${t.group.host} ${brief(t)}`)).toEqual([
      '10.0.0.99 firing@3000 silenced',
      '10.0.0.2 firing@3000',
    ]);
  });

  it('refuses state of another version', () => {
    expect(() => RuleEngine.restore(BOTH, { version: 99 } as unknown as EngineState, { now: 0 })).toThrow(/version 99/);
  });
});

describe('rule-set replacement', () => {
  it('keeps the state of unchanged rules, resolves the firing alerts of changed and removed ones', () => {
    const engine = new RuleEngine(BOTH, { now: 0 });
    engine.observeHeartbeat(heartbeat('edge-1', 0), 0);
    expect(feedSeries(engine, high(3), 28).map((t) => `${t.rule} ${brief(t)}`)).toEqual([
      'busy pending@29000',
      'busy firing@31000',
    ]);
    expect(engine.tick(31_000).map((t) => `${t.rule} ${brief(t)}`)).toEqual(['silent firing@31000']);

    // busy unchanged, silent removed.
    expect(engine.replaceRules(rules(`rules:\n${BUSY}`), 31_500).map((t) => `${t.rule} ${brief(t)}`)).toEqual([
      'silent resolved@31500',
    ]);
    expect(engine.activeAlerts().map((a) => `${a.rule} ${a.state} ${a.since}`)).toEqual(['busy firing 29000']);
    expect(feedSeries(engine, high(1), 31)).toEqual([]);

    // busy changed (its threshold): its incident is resolved, the new rule judges afresh.
    const changed = rules(`rules:\n${BUSY.replace('above: 1000', 'above: 2000')}`);
    expect(engine.replaceRules(changed, 32_500).map((t) => `${t.rule} ${brief(t)}`)).toEqual(['busy resolved@32500']);
    expect(feedSeries(engine, high(1), 32).map(brief)).toEqual(['pending@33000']);
  });

  it('a restore under a changed rule set resolves the alerts of the rules gone, at the first call', () => {
    const first = new RuleEngine(BOTH, { now: 0 });
    feedSeries(first, high(3));
    const second = RuleEngine.restore(rules(`rules:\n${SILENT}`), roundTrip(first.snapshot()), { now: 4_000 });
    // Not lost if a snapshot is taken before any call.
    const third = RuleEngine.restore(rules(`rules:\n${SILENT}`), roundTrip(second.snapshot()), { now: 4_000 });
    expect(third.tick(5_000).map((t) => `${t.rule} ${brief(t)} ${t.since}`)).toEqual(['busy resolved@5000 1000']);
    expect(third.tick(6_000)).toEqual([]);
  });

  it('disabled rules are not evaluated', () => {
    const engine = new RuleEngine(rules(`rules:\n${BUSY}    enabled: false\n`), { now: 0 });
    expect(feedSeries(engine, high(5))).toEqual([]);
    expect(engine.rules).toEqual([]);
  });
});
