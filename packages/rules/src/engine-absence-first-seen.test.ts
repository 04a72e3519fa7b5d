import { describe, expect, it } from 'vitest';
import { RuleEngine } from './engine.js';
import { brief } from './testing/driver.js';
import { heartbeat, rules, summaryAt, topLists } from './testing/summaries.js';

const SILENT = rules(`rules:
  - name: silent
    kind: absence
    severity: critical
    group_by: [sensor]
    after: 30s
    sensors: [expected-1]
`);

describe('absence', () => {
  it('fires on a tick once a sensor has been silent longer than `after`, resolves on its next heartbeat', () => {
    const engine = new RuleEngine(SILENT, { now: 0 });
    expect(engine.observeHeartbeat(heartbeat('edge-1', 5_000), 5_000)).toEqual([]);
    // The listed sensor never reported: silent since the engine's start.
    expect(engine.tick(34_000).map((t) => `${t.dedupKey} ${brief(t)} ${t.value} ${t.threshold}`)).toEqual([
      'silent{sensor="expected-1"} firing@34000 34 30',
    ]);
    expect(engine.tick(35_000)).toEqual([]);
    expect(engine.tick(36_000).map((t) => `${t.dedupKey} ${brief(t)} ${t.value} ${t.threshold}`)).toEqual([
      'silent{sensor="edge-1"} firing@36000 31 30',
    ]);
    expect(engine.tick(40_000)).toEqual([]);
    expect(
      engine.observeHeartbeat(heartbeat('edge-1', 41_000), 41_000).map((t) => `${t.group.sensor} ${brief(t)}`),
    ).toEqual(['edge-1 resolved@41000']);
    // An observation alone never fires it: only time does.
    expect(engine.observeHeartbeat(heartbeat('edge-2', 42_000), 42_000)).toEqual([]);
  });

  it('watches summaries per interface when asked to', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: no-summary
    kind: absence
    severity: warning
    of: summary
    group_by: [sensor, interface]
    after: 10s
`),
      { now: 0 },
    );
    engine.observeSummary(summaryAt(0, { interface: 'eth0' }), topLists(), 1_000);
    engine.observeSummary(summaryAt(0, { interface: 'eth1' }), topLists(), 1_000);
    engine.observeHeartbeat(heartbeat('edge-1', 5_000), 5_000);
    engine.observeSummary(summaryAt(5_000, { interface: 'eth1' }), topLists(), 6_000);
    expect(engine.tick(12_000).map((t) => t.dedupKey)).toEqual(['no-summary{interface="eth0",sensor="edge-1"}']);
  });

  it('forgets a decommissioned sensor', () => {
    const engine = new RuleEngine(SILENT, { now: 0 });
    engine.observeHeartbeat(heartbeat('old', 0), 0);
    expect(engine.tick(60_000)).toHaveLength(2);
    expect(engine.forgetSensor('old', 61_000).map((t) => `${t.group.sensor} ${t.state}`)).toEqual(['old resolved']);
    expect(engine.tick(120_000)).toEqual([]);
  });
});

const NEW_PORTS = rules(`rules:
  - name: new-port
    kind: first_seen
    severity: info
    group_by: [sensor]
    entity: port
    learning: 10s
    resolve_after: 5s
    max_remembered: 3
`);

const ports = (...list: number[]) =>
  topLists({ ports: list.map((port) => ({ transport: 'tcp' as const, port, packets: 1, bytes: 1 })) });

describe('first_seen', () => {
  it('learns quietly, then fires once per new entity and resolves it after resolve_after', () => {
    const engine = new RuleEngine(NEW_PORTS, { now: 0 });
    expect(engine.observeSummary(summaryAt(0), ports(22, 443), 1_000)).toEqual([]);
    expect(engine.observeSummary(summaryAt(5_000), ports(22, 80), 6_000)).toEqual([]);
    const out = engine.observeSummary(summaryAt(11_000), ports(22, 443, 8080), 12_000);
    expect(out.map((t) => `${t.dedupKey} ${brief(t)}`)).toEqual([
      'new-port{port="tcp/8080",sensor="edge-1"} firing@12000',
    ]);
    expect(engine.observeSummary(summaryAt(12_000), ports(8080), 13_000)).toEqual([]);
    expect(engine.tick(16_000)).toEqual([]);
    expect(engine.tick(17_000).map(brief)).toEqual(['resolved@17000']);
  });

  it('keeps a bounded memory: evicts the least recently seen and counts it', () => {
    const engine = new RuleEngine(NEW_PORTS, { now: 0 });
    engine.observeSummary(summaryAt(0), ports(1, 2, 3), 1_000);
    engine.observeSummary(summaryAt(1_000), ports(1, 3), 2_000);
    // 4 pushes out port 2 (least recently seen) while learning; 2 seen again later is new again.
    engine.observeSummary(summaryAt(2_000), ports(4), 3_000);
    expect(engine.stats().rules['new-port']).toMatchObject({ forgotten: 1 });
    const out = engine.observeSummary(summaryAt(20_000), ports(1, 2), 21_000);
    expect(out.map((t) => t.group.port)).toEqual(['tcp/2']);
    expect(engine.stats().rules['new-port'].forgotten).toBe(2);
  });

  it('new DNS domains judged on their last labels; unknown names ignored', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: new-domain
    kind: first_seen
    severity: info
    entity: dns_name
    dns_levels: 2
    learning: 1s
`),
      { now: 0 },
    );
    const names = (...list: string[]) => topLists({ dns_names: list.map((name) => ({ name, queries: 1 })) });
    engine.observeSummary(summaryAt(0), names('www.example.com', '?'), 500);
    const out = engine.observeSummary(summaryAt(2_000), names('mail.example.com', 'evil.test.', '?'), 3_000);
    expect(out.map((t) => t.dedupKey)).toEqual(['new-domain{dns_name="evil.test"}']);
  });

  it('caps open alerts per rule and counts what it did not alert', () => {
    const engine = new RuleEngine(NEW_PORTS, { now: 0, maxAlertsPerRule: 2 });
    engine.observeSummary(summaryAt(0), ports(1), 1_000);
    const out = engine.observeSummary(summaryAt(20_000), ports(10, 11, 12), 21_000);
    expect(out).toHaveLength(2);
    expect(engine.stats().rules['new-port'].alertsSuppressed).toBe(1);
  });
});
