import { describe, expect, it } from 'vitest';
import { RuleEngine } from './engine.js';
import { brief, feedSeries } from './testing/driver.js';
import { NO_TOP, rules, summaryAt, topLists } from './testing/summaries.js';

const bps = (values: number[]) => values.map((bytes) => ({ bytes }));

function thresholdRules(extra: string): string {
  return `rules:
  - name: busy
    kind: threshold
    severity: warning
    group_by: [sensor, interface]
    metric: bytes_per_second
    above: 1000
${extra}`;
}

describe('threshold', () => {
  it('goes pending, fires after `for`, and resolves; the transition says what, where, how much', () => {
    const engine = new RuleEngine(
      rules(thresholdRules('    for: 3s\n    labels: { team: net }\n    receivers: [ops]\n')),
      { now: 0 },
    );
    const out = feedSeries(engine, bps([0, 2000, 2000, 2000, 2000, 400]));
    expect(out.map(brief)).toEqual(['pending@2000', 'firing@5000', 'resolved@6000']);
    expect(out[1]).toEqual({
      rule: 'busy',
      dedupKey: 'busy{interface="eth0",sensor="edge-1"}',
      group: { interface: 'eth0', sensor: 'edge-1' },
      state: 'firing',
      value: 2000,
      threshold: 1000,
      since: 2000,
      at: 5000,
      severity: 'warning',
      labels: { team: 'net', interface: 'eth0', sensor: 'edge-1' },
      receivers: ['ops'],
      repeat: false,
      silenced: false,
      silencedBy: [],
    });
    expect(out[2]).toMatchObject({ state: 'resolved', value: 400, since: 2000 });
  });

  it('does not fire when the condition does not hold for `for`', () => {
    const engine = new RuleEngine(rules(thresholdRules('    for: 3s\n')), { now: 0 });
    expect(feedSeries(engine, bps([2000, 2000, 0, 2000, 2000, 0])).map(brief)).toEqual([
      'pending@1000',
      'pending@4000',
    ]);
  });

  it('hysteresis: values oscillating between clear and above do not flap', () => {
    const oscillating = bps([2000, 800, 1200, 700, 1500, 900, 300]);
    const withClear = new RuleEngine(rules(thresholdRules('    clear: 500\n')), { now: 0 });
    expect(feedSeries(withClear, oscillating).map(brief)).toEqual(['firing@1000', 'resolved@7000']);
    const withoutClear = new RuleEngine(rules(thresholdRules('')), { now: 0 });
    expect(feedSeries(withoutClear, oscillating).map(brief)).toEqual([
      'firing@1000',
      'resolved@2000',
      'firing@3000',
      'resolved@4000',
      'firing@5000',
      'resolved@6000',
    ]);
  });

  it('below: fires when the value drops under the threshold', () => {
    const engine = new RuleEngine(rules(thresholdRules('').replace('above: 1000', 'below: 100\n    clear: 200')), {
      now: 0,
    });
    expect(feedSeries(engine, bps([500, 50, 150, 250])).map(brief)).toEqual(['firing@2000', 'resolved@4000']);
  });

  it('aggregates avg, max and sum over the window', () => {
    const values = bps([3000, 0, 0, 0]);
    const judged = (aggregate: string, above: number) => {
      const engine = new RuleEngine(
        rules(
          thresholdRules(`    window: 3s\n    aggregate: ${aggregate}\n`).replace('above: 1000', `above: ${above}`),
        ),
        { now: 0 },
      );
      return feedSeries(engine, values).map((t) => `${brief(t)} ${t.value}`);
    };
    // windows: [3000], [3000,0], [3000,0,0], [0,0,0]
    expect(judged('avg', 999)).toEqual(['firing@1000 3000', 'resolved@4000 0']);
    expect(judged('max', 2999)).toEqual(['firing@1000 3000', 'resolved@4000 0']);
    expect(judged('sum', 2999)).toEqual(['firing@1000 3000', 'resolved@4000 0']);
    expect(judged('avg', 1001)).toEqual(['firing@1000 3000', 'resolved@3000 1000']);
  });

  it('per top talker: one alert per source, resolved when the source leaves the top list', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: talker
    kind: threshold
    severity: info
    group_by: [sensor, source]
    metric: source.bytes
    above: 1000000
`),
      { now: 0 },
    );
    const heavy = topLists({
      sources: [
        { ip: '10.0.0.5', packets: 900, bytes: 5_000_000 },
        { ip: '10.0.0.6', packets: 10, bytes: 1000 },
      ],
    });
    // Grouped without interface, a source may come from several interfaces: its first interval is
    // judged once it settles (2 s after its end), later ones as soon as as many summaries arrived.
    expect(engine.observeSummary(summaryAt(0), heavy, 1000)).toEqual([]);
    const out = engine.tick(3000);
    expect(out.map((t) => [t.dedupKey, t.state, t.value])).toEqual([
      ['talker{sensor="edge-1",source="10.0.0.5"}', 'firing', 5_000_000],
    ]);
    // The source vanishes from the top lists: after its window and some grace, the tick resolves it.
    engine.observeSummary(summaryAt(1000), NO_TOP, 2000);
    expect(engine.tick(3000)).toEqual([]);
    // stale after window (1 s) + two intervals + settle (2 s) without data
    expect(engine.tick(6000)).toEqual([]);
    expect(engine.tick(6001).map((t) => [t.group.source, t.state, t.value])).toEqual([['10.0.0.5', 'resolved', null]]);
    expect(engine.stats().rules.talker.groups).toBe(0);
  });

  it('a port metric reads the top ports list (0 when the port is not in it)', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: smb
    kind: threshold
    severity: info
    group_by: [sensor, interface]
    metric: port.tcp/445.bytes
    above: 100
`),
      { now: 0 },
    );
    const smb = topLists({
      ports: [
        { transport: 'udp', port: 445, packets: 1, bytes: 999 },
        { transport: 'tcp', port: 445, packets: 3, bytes: 300 },
      ],
    });
    expect(engine.observeSummary(summaryAt(0), smb, 1000).map((t) => t.value)).toEqual([300]);
    expect(engine.observeSummary(summaryAt(1000), NO_TOP, 2000).map((t) => [t.state, t.value])).toEqual([
      ['resolved', 0],
    ]);
  });

  it('a fleet-wide group sums the sensors of an interval and is judged once it settles', () => {
    const engine = new RuleEngine(rules(thresholdRules('').replace('group_by: [sensor, interface]', 'group_by: []')), {
      now: 0,
      settleMs: 500,
    });
    expect(engine.observeSummary(summaryAt(0, { sensor: 'a', bytes: 600 }), NO_TOP, 1000)).toEqual([]);
    expect(engine.observeSummary(summaryAt(0, { sensor: 'b', bytes: 600 }), NO_TOP, 1100)).toEqual([]);
    expect(engine.tick(1400)).toEqual([]);
    const fired = engine.tick(1500);
    expect(fired.map((t) => [t.dedupKey, t.state, t.value])).toEqual([['busy{}', 'firing', 1200]]);
    // A summary of an interval already judged is counted, not added.
    engine.observeSummary(summaryAt(0, { sensor: 'c', bytes: 600 }), NO_TOP, 1600);
    expect(engine.stats().rules.busy.lateDropped).toBe(1);
    // A later interval closes the open one at once.
    engine.observeSummary(summaryAt(1000, { sensor: 'a', bytes: 100 }), NO_TOP, 2000);
    expect(engine.observeSummary(summaryAt(2000, { sensor: 'a', bytes: 100 }), NO_TOP, 3000).map(brief)).toEqual([
      'resolved@3000',
    ]);
  });

  it('caps the groups of a rule and counts the refused ones', () => {
    const engine = new RuleEngine(rules(thresholdRules('')), { now: 0, maxGroupsPerRule: 2 });
    for (const sensor of ['a', 'b', 'c', 'd'])
      engine.observeSummary(summaryAt(0, { sensor, bytes: 5000 }), NO_TOP, 1000);
    expect(engine.stats().rules.busy).toMatchObject({ groups: 2, groupsRefused: 2 });
    expect(engine.activeAlerts().map((a) => a.group.sensor)).toEqual(['a', 'b']);
  });
});

describe('rate_of_change', () => {
  it('fires on a rise against the previous window', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: spike
    kind: rate_of_change
    severity: warning
    group_by: [sensor, interface]
    metric: bytes_per_second
    window: 3s
    above: 100
    clear: 20
    min_base: 50
`),
      { now: 0 },
    );
    const out = feedSeries(engine, bps([100, 100, 100, 300, 300, 300, 300, 300, 300, 300]));
    // At 5 s: now (100,300,300) avg 233 vs before (100,100) → +133 %; at 7 s: 300 vs 166 → +80 %, over clear;
    // at 8 s: 300 vs 233 → +28.6 %; at 9 s: 300 vs 300 → 0 %.
    expect(out.map((t) => `${brief(t)} ${t.value?.toFixed(1)}`)).toEqual(['firing@5000 133.3', 'resolved@9000 0.0']);
  });

  it('does not judge a change from a base under min_base', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: spike
    kind: rate_of_change
    severity: warning
    group_by: [sensor, interface]
    metric: bytes
    window: 1s
    above: 100
    min_base: 50
`),
      { now: 0 },
    );
    expect(feedSeries(engine, bps([10, 1000, 49, 5000, 50, 5000]))).toHaveLength(1);
  });
});

describe('distinct_count', () => {
  it("port scan: distinct ports tried per source, from the sensor's fan-out list", () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: port-scan
    kind: distinct_count
    severity: warning
    group_by: [sensor, source]
    metric: fanout.ports_per_source
    above: 100
`),
      { now: 0 },
    );
    const out = feedSeries(engine, [
      { fanout: [{ ip: '10.0.0.9', ports: 3 }] },
      {
        fanout: [
          { ip: '10.0.0.9', ports: 800, destinations: 1 },
          { ip: '10.0.0.10', ports: 2 },
        ],
      },
      { fanout: [{ ip: '10.0.0.9', ports: 2 }] },
      {},
    ]);
    expect(out.map((t) => `${t.dedupKey} ${brief(t)} ${t.value}`)).toEqual([
      'port-scan{sensor="edge-1",source="10.0.0.9"} firing@2000 800',
      'port-scan{sensor="edge-1",source="10.0.0.9"} resolved@3000 2',
    ]);
  });

  it('host sweep: distinct destinations from the summary cardinalities, max over the window', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: sweep
    kind: distinct_count
    severity: warning
    group_by: [sensor, interface]
    metric: distinct.destinations
    window: 2s
    above: 1000
`),
      { now: 0 },
    );
    const out = feedSeries(
      engine,
      [10, 5000, 10, 10].map((d) => ({ distinctDestinations: d })),
    );
    expect(out.map((t) => `${brief(t)} ${t.value}`)).toEqual(['firing@2000 5000', 'resolved@4000 10']);
  });
});

describe('ratio', () => {
  it('NXDOMAIN share over the window, not judged under min_denominator', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: nx
    kind: ratio
    severity: warning
    group_by: [sensor, interface]
    numerator: dns.nxdomain
    denominator: dns.responses
    min_denominator: 10
    above: 0.5
`),
      { now: 0 },
    );
    const out = feedSeries(engine, [
      { dnsResponses: 4, nxdomain: 4 },
      { dnsResponses: 100, nxdomain: 80 },
      { dnsResponses: 100, nxdomain: 10 },
    ]);
    expect(out.map((t) => `${brief(t)} ${t.value}`)).toEqual(['firing@2000 0.8', 'resolved@3000 0.1']);
  });

  it('a group with no denominator at all resolves (no data is no incident)', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: syn
    kind: ratio
    severity: warning
    group_by: [sensor, interface]
    numerator: tcp.syn_ack
    denominator: tcp.syn
    below: 0.5
`),
      { now: 0 },
    );
    const out = feedSeries(engine, [{ syn: 100, synAck: 90 }, { syn: 1000, synAck: 10 }, {}]);
    expect(out.map((t) => `${brief(t)} ${t.value}`)).toEqual(['firing@2000 0.01', 'resolved@3000 null']);
  });
});

describe('drop_rate', () => {
  it('kernel drops against packets plus drops; intervals without a drop count are skipped', () => {
    const engine = new RuleEngine(
      rules(`rules:
  - name: drops
    kind: drop_rate
    severity: warning
    group_by: [sensor, interface]
    above: 0.01
`),
      { now: 0 },
    );
    const out = feedSeries(engine, [
      { packets: 1000, kernelDropped: 1 },
      { packets: 950, kernelDropped: 50 },
      { packets: 1000, kernelDropped: null },
      { packets: 1000, kernelDropped: 0 },
    ]);
    expect(out.map((t) => `${brief(t)} ${t.value}`)).toEqual(['firing@2000 0.05', 'resolved@4000 0']);
  });
});
