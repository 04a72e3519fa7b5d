/**
 * `pnpm exec tsx tests/bench/rules.bench.ts [--rules 1000] [--sensors 1000] [--seconds 5]`
 *
 * Rule evaluation throughput, in process: N threshold/ratio/distinct rules over M sensors each sending
 * one summary a second (simulated time), the way the alerter feeds the engine. Prints summaries/s,
 * rule evaluations/s and the time one second of fleet traffic takes to judge. The peer, in the same
 * run: decoding the same summaries for storage (what a collector does with each), as a yardstick.
 *
 * Then a flood at the group limit: a port-scan rule holding 10,000 sources, fed summaries of 100
 * made-up fan-out sources each, every one larger than what the rule holds (so every newcomer evicts),
 * against the same flood into a rule far from its limit: what eviction costs per summary.
 */
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { decodeSummaryForStorage, encodeMessage, summarySubject, SummarySketches } from '@wirewatch/protocol';
import { RuleEngine, parseRuleSet } from '@wirewatch/rules';
import { templateSummary } from './collector/load.js';

const { values } = parseArgs({
  options: {
    rules: { type: 'string', default: '1000' },
    sensors: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '5' },
  },
});
const ruleCount = Number(values.rules);
const sensors = Number(values.sensors);
const seconds = Number(values.seconds);

const metrics = [
  'bytes_per_second',
  'packets_per_second',
  'protocol.tcp.bytes',
  'protocol.udp.packets',
  'dns.queries',
  'tcp.syn',
  'decode_errors',
  'distinct.destinations',
];
let yaml = 'rules:\n';
for (let i = 0; i < ruleCount; i++) {
  const kind = i % 10 === 9 ? 'ratio' : 'threshold';
  yaml += `  - name: r${i}\n    kind: ${kind}\n    severity: warning\n    group_by: [sensor, interface]\n    receivers: [x]\n`;
  if (kind === 'ratio')
    yaml += `    numerator: dns.nxdomain\n    denominator: dns.responses\n    window: 1m\n    above: 0.5\n    min_denominator: 10\n`;
  else
    yaml += `    metric: ${metrics[i % metrics.length]}\n    aggregate: ${['avg', 'max', 'sum'][i % 3]}\n    window: ${[1, 10, 60][i % 3]}s\n    above: ${1e9 + i}\n`;
}
const parsed = parseRuleSet(yaml, 'bench');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));

const template = templateSummary();
const top = SummarySketches.fromMessage(template).topLists(50);
const engine = new RuleEngine(parsed.ruleSet, { now: 0 });
const messages = Array.from({ length: sensors }, (_, i) => ({ ...template, sensor: `s${i}` }));

const t0 = performance.now();
let transitions = 0;
for (let second = 0; second < seconds; second++) {
  const start = 1_000_000 + second * 1000;
  for (const m of messages) {
    m.start = start;
    m.end = start + 1000;
    transitions += engine.observeSummary(m, top, start + 1000).length;
  }
  transitions += engine.tick(start + 1000).length;
}
const elapsed = (performance.now() - t0) / 1000;
const summaries = sensors * seconds;

const snapshot = JSON.stringify(engine.snapshot());
const snapshotGzip = gzipSync(snapshot).length;
const bytes = encodeMessage(template);
const subject = summarySubject(template.sensor);
const t1 = performance.now();
for (let i = 0; i < 5000; i++) decodeSummaryForStorage(bytes, 10, subject);
const decodePerSecond = 5000 / ((performance.now() - t1) / 1000);

console.log(
  `| rules | sensors | summaries/s judged | rule evaluations/s | one fleet-second judged in | transitions | state snapshot (gzip) | decode-for-storage (peer) |`,
);
console.log(`|---|---|---|---|---|---|---|---|`);
console.log(
  `| ${ruleCount} | ${sensors} | ${Math.round(summaries / elapsed)} | ${(Math.round((summaries * ruleCount) / elapsed / 1e5) / 10).toFixed(1)} M | ${((elapsed / seconds) * 1000).toFixed(0)} ms | ${transitions} | ${(snapshot.length / 1e6).toFixed(1)} MB (${(snapshotGzip / 1e6).toFixed(2)} MB) | ${Math.round(decodePerSecond)} summaries/s |`,
);

/** Summaries of 100 new fan-out sources each, `ports` per source, all in the interval starting at `start`. */
function flood(first: number, count: number, start: number, ports: number) {
  return Array.from({ length: count }, (_, m) => ({
    ...template,
    sensor: 'liar',
    interface: `i${first + m}`,
    start,
    end: start + 1000,
    fanout: {
      sources: Array.from({ length: 100 }, (_, i) => ({
        ip: `10.${(first + m) >> 8}.${(first + m) & 255}.${i}`,
        ports,
        destinations: 1,
      })),
      pairs_dropped: 0,
    },
  }));
}
const scanParsed = parseRuleSet(
  'rules:\n  - name: port-scan\n    kind: distinct_count\n    severity: warning\n    group_by: [sensor, interface, source]\n    metric: fanout.ports_per_source\n    aggregate: max\n    above: 100\n',
  'bench',
);
if (!scanParsed.ok) throw new Error(scanParsed.errors.join('\n'));
const scanRules = scanParsed.ruleSet;
const NO_TOP = { sources: [], destinations: [], conversations: [], ports: [], dns_names: [] };
/** Fills the rule with 10,000 sources, then times `rounds` seconds of 100 flood summaries (10,000 newcomers) each. */
function timeFlood(maxGroupsPerRule: number, rounds: number) {
  const e = new RuleEngine(scanRules, { now: 0, maxGroupsPerRule });
  for (const m of flood(0, 100, 0, 1)) e.observeSummary(m, NO_TOP, 1000);
  const batches = Array.from({ length: rounds }, (_, r) => flood(100 * (r + 1), 100, 1000 * (r + 1), r + 2));
  const t = performance.now();
  batches.forEach((batch, r) => {
    for (const m of batch) e.observeSummary(m, NO_TOP, 1000 * (r + 2));
    e.tick(1000 * (r + 2));
  });
  const ms = performance.now() - t;
  const stats = e.stats().rules['port-scan'];
  return {
    perSecond: Math.round((rounds * 100) / (ms / 1000)),
    msPerRound: ms / rounds,
    evicted: stats.groupsEvicted,
    groups: stats.groups,
  };
}
const rounds = 3;
const free = timeFlood(1_000_000, rounds);
const full = timeFlood(10_000, rounds);
console.log('');
console.log(
  '| port-scan rule | flood summaries/s (100 new sources each) | 10,000 newcomers judged in | groups evicted | groups held |',
);
console.log('|---|---|---|---|---|');
console.log(
  `| far from its limit | ${free.perSecond} | ${free.msPerRound.toFixed(0)} ms | ${free.evicted} | ${free.groups} |`,
);
console.log(
  `| at its limit (10,000), every newcomer evicting | ${full.perSecond} | ${full.msPerRound.toFixed(0)} ms | ${full.evicted} | ${full.groups} |`,
);
