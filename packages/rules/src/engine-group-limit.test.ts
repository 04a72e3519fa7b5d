import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_FILE } from './default-rules.js';
import type { EngineState } from './engine-state.js';
import { RuleEngine } from './engine.js';
import { GROUP_LIMIT_RULE } from './group-limit-alert.js';
import { loadRuleFile, parseRuleSet } from './rule-file.js';
import type { RuleSet } from './rule-schema.js';
import { heartbeat, NO_TOP, rules, summaryAt } from './testing/summaries.js';

function defaults(): RuleSet {
  const result = loadRuleFile(DEFAULT_RULES_FILE);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.ruleSet;
}

/** A sensor lying about 100 sources per summary, each trying one port on one host: too small to alert. */
function flood(engine: RuleEngine, messages: number, start: number, at: number): void {
  for (let m = 0; m < messages; m++) {
    const fanout = Array.from({ length: 100 }, (_, i) => ({
      ip: `10.${m >> 8}.${m & 255}.${i}`,
      ports: 1,
      destinations: 1,
    }));
    expect(engine.observeSummary(summaryAt(start, { interface: `fake${m}`, fanout }), NO_TOP, at)).toEqual([]);
  }
}

const BUSY = (comparison: string) =>
  rules(`rules:
  - name: busy
    kind: threshold
    severity: warning
    group_by: [sensor, interface]
    metric: bytes
    aggregate: sum
    ${comparison}
    receivers: [ops]
`);

const groupsOf = (engine: RuleEngine) => (engine.snapshot().series[0]?.groups ?? []).map((g) => g.labels.sensor).sort();
const bytesFrom = (engine: RuleEngine, sensor: string, bytes: number, at = 1000) =>
  engine.observeSummary(summaryAt(0, { sensor, bytes }), NO_TOP, at);

describe('group limit', () => {
  it('a flood of 10,000+ small fake fan-out sources does not hide a real 500-port scan: it evicts a small group and fires', () => {
    const engine = new RuleEngine(defaults(), { now: 0 });
    flood(engine, 101, 0, 1000);
    expect(engine.stats().rules['port-scan']).toMatchObject({ groups: 10_000, groupsRefused: 100, groupsEvicted: 0 });
    const scan = summaryAt(0, { interface: 'eth0', fanout: [{ ip: '10.9.9.9', ports: 500, destinations: 1 }] });
    const fired = engine.observeSummary(scan, NO_TOP, 1000);
    expect(fired.map((t) => `${t.rule} ${t.state} ${t.group.source} ${t.value}`)).toEqual([
      'port-scan firing 10.9.9.9 500',
    ]);
    expect(engine.stats().rules['port-scan']).toMatchObject({ groups: 10_000, groupsRefused: 100, groupsEvicted: 1 });
    // The limit is an alert of its own, for each rule the flood filled, routed to that rule's receivers.
    const limit = engine.tick(1500);
    expect(
      limit.map(
        (t) => `${t.rule} ${t.state} ${t.group.limited_rule} ${t.value}/${t.threshold} ${t.receivers.join(',')}`,
      ),
    ).toEqual([
      `${GROUP_LIMIT_RULE} firing port-scan 10000/10000 default`,
      `${GROUP_LIMIT_RULE} firing host-sweep 10000/10000 default`,
    ]);
    expect(limit[0].dedupKey).toBe('rule-group-limit{limited_rule="port-scan"}');
    expect(limit[0].labels).toEqual({ category: 'health', limited_rule: 'port-scan' });
    expect(limit[0].severity).toBe('warning');
    expect(engine.stats().atGroupLimit).toEqual(['port-scan', 'host-sweep']);
  });

  it('the scan still fires when the flood goes on after it, interval after interval (the ranking is redone each tick)', () => {
    const engine = new RuleEngine(defaults(), { now: 0 });
    const scans: string[] = [];
    for (let second = 0; second < 4; second++) {
      const start = second * 1000;
      flood(engine, 101, start, start + 1000);
      const scan = summaryAt(start, { interface: 'eth0', fanout: [{ ip: '10.9.9.9', ports: 500, destinations: 1 }] });
      scans.push(
        ...engine
          .observeSummary(scan, NO_TOP, start + 1000)
          .filter((t) => t.rule === 'port-scan')
          .map((t) => `${t.state}${t.repeat ? ' repeat' : ''}`),
      );
      engine.tick(start + 1000);
    }
    expect(scans).toEqual(['firing']);
    expect(
      engine
        .activeAlerts()
        .filter((a) => a.rule === 'port-scan')
        .map((a) => a.group.source),
    ).toEqual(['10.9.9.9']);
    expect(engine.stats().rules['port-scan'].groupsEvicted).toBe(1);
  });

  it('evicts the smallest group for a larger newcomer and refuses a smaller one', () => {
    const engine = new RuleEngine(BUSY('above: 100'), { now: 0, maxGroupsPerRule: 3 });
    bytesFrom(engine, 'a', 10);
    bytesFrom(engine, 'b', 5);
    bytesFrom(engine, 'c', 20);
    bytesFrom(engine, 'd', 7);
    expect(groupsOf(engine)).toEqual(['a', 'c', 'd']);
    bytesFrom(engine, 'e', 1);
    expect(groupsOf(engine)).toEqual(['a', 'c', 'd']);
    expect(engine.stats().rules.busy).toMatchObject({ groups: 3, groupsEvicted: 1, groupsRefused: 1 });
  });

  it("ranks by the latest interval's value, not the window's aggregate", () => {
    const engine = new RuleEngine(BUSY('above: 1000\n    window: 10s'), { now: 0, maxGroupsPerRule: 2 });
    engine.observeSummary(summaryAt(0, { sensor: 'a', bytes: 900 }), NO_TOP, 1000);
    engine.observeSummary(summaryAt(1000, { sensor: 'a', bytes: 1 }), NO_TOP, 2000);
    engine.observeSummary(summaryAt(1000, { sensor: 'b', bytes: 5 }), NO_TOP, 2000);
    // a sums 901 over its window but its latest interval is 1: a newcomer of 3 evicts a, not b.
    engine.observeSummary(summaryAt(1000, { sensor: 'c', bytes: 3 }), NO_TOP, 2000);
    expect(groupsOf(engine)).toEqual(['b', 'c']);
  });

  it('a group created since the last ranking pass is a candidate only after the next tick', () => {
    const engine = new RuleEngine(BUSY('above: 100'), { now: 0, maxGroupsPerRule: 3 });
    bytesFrom(engine, 'a', 10);
    bytesFrom(engine, 'b', 5);
    bytesFrom(engine, 'c', 20);
    bytesFrom(engine, 'd', 7);
    bytesFrom(engine, 'e', 8);
    expect(groupsOf(engine)).toEqual(['a', 'c', 'd']);
    engine.tick(1000);
    bytesFrom(engine, 'e', 8);
    expect(groupsOf(engine)).toEqual(['a', 'c', 'e']);
  });

  it('a below rule keeps the lowest values', () => {
    const engine = new RuleEngine(BUSY('below: 10'), { now: 0, maxGroupsPerRule: 2 });
    bytesFrom(engine, 'a', 50);
    bytesFrom(engine, 'b', 80);
    bytesFrom(engine, 'c', 20);
    expect(groupsOf(engine)).toEqual(['a', 'c']);
    bytesFrom(engine, 'd', 90);
    expect(groupsOf(engine)).toEqual(['a', 'c']);
  });

  it('never evicts a pending or firing group, even for a larger newcomer', () => {
    const engine = new RuleEngine(BUSY('above: 100\n    for: 10s'), { now: 0, maxGroupsPerRule: 2 });
    expect(bytesFrom(engine, 'a', 500).map((t) => t.state)).toEqual(['pending']);
    expect(bytesFrom(engine, 'b', 200).map((t) => t.state)).toEqual(['pending']);
    expect(bytesFrom(engine, 'c', 9000)).toEqual([]);
    expect(groupsOf(engine)).toEqual(['a', 'b']);
    expect(engine.stats().rules.busy).toMatchObject({ groupsEvicted: 0, groupsRefused: 1 });
    expect(engine.activeAlerts().map((a) => `${a.rule} ${a.group.sensor ?? a.group.limited_rule} ${a.state}`)).toEqual([
      'busy a pending',
      'busy b pending',
    ]);
  });

  it('absence and first_seen refuse at the limit (a newcomer has no larger value) and raise the limit alert', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: silent
    kind: absence
    severity: critical
    group_by: [sensor]
    after: 1m
    receivers: [ops]
  - name: new-port
    kind: first_seen
    severity: info
    group_by: [sensor]
    entity: port
    learning: 1h
`),
      { now: 0, maxGroupsPerRule: 2 },
    );
    for (const sensor of ['a', 'b', 'c']) engine.observeSummary(summaryAt(0, { sensor }), NO_TOP, 1000);
    for (const sensor of ['a', 'b', 'c']) engine.observeHeartbeat(heartbeat(sensor, 1000), 1000);
    expect(engine.stats().rules.silent).toMatchObject({ groups: 2, groupsRefused: 1, groupsEvicted: 0 });
    expect(engine.stats().rules['new-port']).toMatchObject({ groups: 2, groupsRefused: 1 });
    expect(engine.tick(2000).map((t) => `${t.group.limited_rule} ${t.state} ${t.receivers.join(',')}`)).toEqual([
      'silent firing ops',
      'new-port firing ',
    ]);
  });

  it('the limit alert fires once per episode, can be silenced, and resolves after a quiet spell', () => {
    const engine = new RuleEngine(BUSY('above: 100'), { now: 0, maxGroupsPerRule: 1, groupLimitQuietMs: 10_000 });
    bytesFrom(engine, 'a', 50);
    expect(engine.tick(1000)).toEqual([]);
    bytesFrom(engine, 'b', 10, 2000);
    expect(engine.tick(2000).map((t) => `${t.rule} ${t.state}`)).toEqual([`${GROUP_LIMIT_RULE} firing`]);
    // More refusals during the episode: no second firing, no repeat.
    for (let at = 3000; at < 10_000; at += 1000) {
      bytesFrom(engine, 'a', 50, at);
      bytesFrom(engine, `x${at}`, 1, at);
      expect(engine.tick(at)).toEqual([]);
    }
    engine.addSilence({
      id: 'limits',
      matchers: [{ label: 'limited_rule', value: 'busy' }],
      expiresAt: 1e12,
      comment: 'known',
    });
    expect(engine.tick(18_999)).toEqual([]);
    const resolved = engine.tick(19_000);
    expect(resolved.map((t) => `${t.rule} ${t.state} ${t.silencedBy.join(',')}`)).toEqual([
      `${GROUP_LIMIT_RULE} resolved limits`,
    ]);
    expect(engine.stats().atGroupLimit).toEqual([]);
    // A new episode fires again.
    bytesFrom(engine, 'a', 50, 30_000);
    bytesFrom(engine, 'late', 1, 30_000);
    expect(engine.tick(30_000).map((t) => t.state)).toEqual(['firing']);
  });

  it('resolves 5 minutes after the last group turned away, by default', () => {
    const engine = new RuleEngine(BUSY('above: 100'), { now: 0, maxGroupsPerRule: 1 });
    bytesFrom(engine, 'a', 10);
    bytesFrom(engine, 'b', 1);
    expect(engine.tick(1000).map((t) => t.state)).toEqual(['firing']);
    expect(engine.tick(300_999)).toEqual([]);
    expect(engine.tick(301_000).map((t) => `${t.rule} ${t.state}`)).toEqual([`${GROUP_LIMIT_RULE} resolved`]);
  });

  it('a firing limit alert survives a restore (not announced again), and an older state without it restores', () => {
    const set = BUSY('above: 100');
    const engine = new RuleEngine(set, { now: 0, maxGroupsPerRule: 2 });
    bytesFrom(engine, 'a', 10);
    bytesFrom(engine, 'b', 20);
    bytesFrom(engine, 'c', 1);
    expect(engine.tick(1000).map((t) => t.state)).toEqual(['firing']);
    const state = JSON.parse(JSON.stringify(engine.snapshot())) as EngineState;
    expect(state.rules.busy.limit).toMatchObject({ pressedAt: 1000 });

    const restored = RuleEngine.restore(set, state, { now: 5000, maxGroupsPerRule: 2 });
    expect(restored.activeAlerts().map((a) => `${a.rule} ${a.state}`)).toEqual([`${GROUP_LIMIT_RULE} firing`]);
    expect(restored.tick(6000)).toEqual([]);
    // The restored groups keep their rank: a larger newcomer evicts the smallest (a, 10).
    bytesFrom(restored, 'd', 15, 6000);
    expect(groupsOf(restored)).toEqual(['b', 'd']);

    delete state.rules.busy.limit;
    const older = RuleEngine.restore(set, state, { now: 5000, maxGroupsPerRule: 2 });
    expect(older.activeAlerts()).toEqual([]);
    expect(groupsOf(older)).toEqual(['a', 'b']);
  });

  it('a removed rule resolves its limit alert', () => {
    const engine = new RuleEngine(BUSY('above: 100'), { now: 0, maxGroupsPerRule: 1 });
    bytesFrom(engine, 'a', 10);
    bytesFrom(engine, 'b', 1);
    expect(engine.tick(1000).map((t) => t.state)).toEqual(['firing']);
    const other = rules(
      'rules:\n  - name: other\n    kind: absence\n    severity: info\n    group_by: [sensor]\n    after: 1m\n',
    );
    expect(engine.replaceRules(other, 2000).map((t) => `${t.rule} ${t.state}`)).toEqual([
      `${GROUP_LIMIT_RULE} resolved`,
    ]);
  });

  it('a rule file may not name a rule after the built-in alert', () => {
    const result = parseRuleSet(
      `rules:\n  - name: ${GROUP_LIMIT_RULE}\n    kind: absence\n    severity: info\n    group_by: [sensor]\n    after: 1m\n`,
      'r.yaml',
    );
    expect(result.ok ? [] : result.errors).toEqual([
      `r.yaml:2 rules[0].name: "${GROUP_LIMIT_RULE}" is the name of a built-in alert`,
    ]);
  });
});
