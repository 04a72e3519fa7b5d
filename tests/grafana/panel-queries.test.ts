import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptureFile, type AnalysisReport } from '@wirewatch/report';
import { ROOT } from '../corpus/corpus.js';
import { influxRows, waitFor } from '../harness/index.js';
import { storedInInflux } from '../pipeline/readback.js';
import { DATABASE, startStack, type Stack } from '../pipeline/stack.js';
import { killAll, startService, type ServiceProcess } from '../pipeline/service-process.js';
import { withMalformedFrames } from './captures.js';
import {
  asTable,
  columnValues,
  interpolate,
  seriesOf,
  transform,
  type Row,
  type Scope,
  type Series,
  type Transformation,
} from './grafana-emulation.js';

/**
 * The committed dashboards (grafana/dashboards/*.json, what Grafana provisions) against a real InfluxDB
 * after a real ingest: two sensors replay known captures through NATS and the collector, an alerter
 * writes its transitions, and every panel's every query, interpolated as Grafana would, must return
 * what `wirewatch analyze` of those captures (or, for alerts, the alerter's own API) predicts.
 * A panel without an expectation here fails the test, so a new panel cannot go unchecked.
 */

const LAB = join(ROOT, 'samples/lab.pcap');
const TOKEN = 'grafana-test-token';
const RULES = `rules:
  - name: port-scan
    kind: distinct_count
    severity: warning
    group_by: [sensor, interface, source]
    metric: fanout.ports_per_source
    aggregate: max
    above: 100
    clear: 20
  - name: sensor-silent
    kind: absence
    severity: critical
    of: heartbeat
    group_by: [sensor]
    after: 3s
`;

interface Target {
  query: string;
  resultFormat: 'time_series' | 'table';
}
interface PanelJson {
  type: string;
  title: string;
  targets?: Target[];
  transformations?: Transformation[];
  panels?: PanelJson[];
}
interface DashboardJson {
  panels: PanelJson[];
  templating: { list: Array<{ type: string; name: string; query: string }> };
  annotations: { list: Array<{ name: string; target?: Target & { textColumn?: string } }> };
}
interface AlertEvent {
  rule: string;
  state: string;
  dedup_key: string;
  severity: string;
}

interface SensorRun {
  id: string;
  path: string;
  report: AnalysisReport;
  iface: string;
}

let stack: Stack;
let services: ServiceProcess[] = [];
let sensors: SensorRun[];
let alerter: ServiceProcess;
let history: AlertEvent[];
let firing: string[];
let fanoutByTshark: Map<string, { ports: number; hosts: number }>;
let testStart: number;

function dashboard(file: string): DashboardJson {
  return JSON.parse(readFileSync(join(ROOT, 'grafana/dashboards', file), 'utf8')) as DashboardJson;
}

function panelsOf(d: DashboardJson): PanelJson[] {
  return d.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${await alerter.url()}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return (await response.json()) as T;
}

/** Per source, the widest interval: distinct ports sent a SYN without ACK, distinct hosts sent a SYN or an echo request, per second of capture time (tshark). */
function fanoutPerTshark(path: string): Map<string, { ports: number; hosts: number }> {
  const out = execFileSync(
    'tshark',
    [
      '-r',
      path,
      '-n',
      '-Y',
      '(tcp.flags.syn == 1) || icmp.type == 8 || icmpv6.type == 128',
      '-T',
      'fields',
      '-e',
      'frame.time_epoch',
      '-e',
      'ip.src',
      '-e',
      'ipv6.src',
      '-e',
      'ip.dst',
      '-e',
      'ipv6.dst',
      '-e',
      'tcp.flags.ack',
      '-e',
      'tcp.dstport',
      '-E',
      'separator=\t',
    ],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  const ports = new Map<string, Set<string>>();
  const hosts = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string, v: string) => m.set(k, (m.get(k) ?? new Set()).add(v));
  for (const line of out.trim().split('\n')) {
    const [time, src4, src6, dst4, dst6, ack, port] = line.split('\t');
    const second = Math.floor(Number(time));
    const src = src4 || src6;
    add(hosts, `${second}|${src}`, dst4 || dst6);
    if (port && ack !== '1' && ack !== 'True') add(ports, `${second}|${src}`, port);
  }
  const widest = new Map<string, { ports: number; hosts: number }>();
  for (const [key, set] of hosts) {
    const src = key.split('|')[1];
    const w = widest.get(src) ?? { ports: 0, hosts: 0 };
    w.hosts = Math.max(w.hosts, set.size);
    w.ports = Math.max(w.ports, ports.get(key)?.size ?? 0);
    widest.set(src, w);
  }
  return widest;
}

beforeAll(async () => {
  testStart = Date.now();
  stack = await startStack();
  const malformed = join(stack.dir, 'lab-malformed.pcap');
  withMalformedFrames(LAB, malformed, 7);
  writeFileSync(join(stack.dir, 'rules.yaml'), RULES);
  const config = join(stack.dir, 'alerter.yaml');
  writeFileSync(
    config,
    `rules: ${join(stack.dir, 'rules.yaml')}\ninflux: { enabled: true, url: "${stack.influx.url}", api: v1, database: ${DATABASE} }\n`,
  );

  const collector = stack.collectorV1('grafana', ['--top', '10']);
  alerter = startService(
    stack.bundle,
    ['alerter', '-c', config, '--nats', stack.nats.url, '--http-port', '0', '--http-host', '127.0.0.1'],
    { WIREWATCH_API_TOKEN: TOKEN },
  );
  services = [collector, alerter];
  await collector.ready();
  await waitFor(async () => (await alerter.metric('wirewatch_alerter_active')) === 1, {
    what: 'alerter active',
    timeoutMs: 20_000,
  });

  const runs = [
    { id: 'lab-a', path: LAB },
    { id: 'lab-b', path: malformed },
  ];
  const replays = runs.map((r) => stack.replay(r.id, r.path));
  expect(await Promise.all(replays.map((r) => r.exited))).toEqual([0, 0]);
  sensors = runs.map((r) => ({
    ...r,
    iface: r.path,
    report: analyzeCaptureFile(r.path, { intervalSeconds: 1, topN: 10, topFlows: 0 }).report,
  }));
  fanoutByTshark = fanoutPerTshark(LAB);

  for (const s of sensors) {
    await waitFor(async () => (await storedInInflux(stack.influx, DATABASE, s.id)).packets === s.report.packets, {
      what: `${s.id} stored`,
      timeoutMs: 20_000,
    });
    const lastBeat = `SELECT last("packets") FROM "sensor_interface_health" WHERE "sensor" = '${s.id}'`;
    await waitFor(async () => influxRows(await stack.influx.query(lastBeat, DATABASE))[0]?.last === s.report.packets, {
      what: `${s.id}: last heartbeat`,
      timeoutMs: 20_000,
    });
  }
  const intervals = sensors[0].report.timeline.filter((p) => p.packets > 0).length;
  const merged = `SELECT count("key") FROM "fleet_top" WHERE "list" = 'sources' AND "rank" = '1' AND "sensors" = 2`;
  await waitFor(async () => influxRows(await stack.influx.query(merged, DATABASE))[0]?.count === intervals, {
    what: 'fleet top lists merged',
    timeoutMs: 30_000,
  });

  // Both sensors' port scan fired and resolved; both sensors fell silent after their replay.
  const expected = (h: AlertEvent[]) =>
    h.filter((e) => e.rule === 'port-scan' && e.state === 'resolved').length === 2 &&
    h.filter((e) => e.rule === 'sensor-silent' && e.state === 'firing').length === 2;
  await waitFor(async () => expected((history = await api<AlertEvent[]>('/api/alerts/history'))), {
    what: 'alert transitions',
    timeoutMs: 30_000,
  });
  const stored = `SELECT count("dedup_key") FROM "alerts"`;
  await waitFor(async () => influxRows(await stack.influx.query(stored, DATABASE))[0]?.count === history.length, {
    what: 'alerts written to InfluxDB',
    timeoutMs: 20_000,
  }).catch((e) => {
    throw new Error(`${(e as Error).message}\n${alerter.stderr().slice(-3000)}`);
  });
  firing = (await api<Array<{ dedupKey: string; state: string }>>('/api/alerts'))
    .filter((a) => a.state === 'firing')
    .map((a) => a.dedupKey);
}, 150_000);

afterAll(async () => {
  await Promise.allSettled(services.map((s) => s.stop()));
  await killAll();
  await stack?.dispose();
});

// ---------------------------------------------------------------------------------------------
// What the analysis predicts for a set of sensors.

function total(runs: SensorRun[], pick: (r: AnalysisReport) => number): number {
  return runs.reduce((a, s) => a + pick(s.report), 0);
}

type TopEntry = { key: string; bytes?: number; packets: number };

function topEntries(
  runs: SensorRun[],
  list: 'sources' | 'destinations' | 'conversations' | 'ports' | 'dns_names',
): TopEntry[] {
  const merged = new Map<string, TopEntry>();
  for (const { report } of runs) {
    const entries: TopEntry[] =
      list === 'sources'
        ? report.top_sources.map((t) => ({ key: t.ip, bytes: t.bytes, packets: t.packets }))
        : list === 'destinations'
          ? report.top_destinations.map((t) => ({ key: t.ip, bytes: t.bytes, packets: t.packets }))
          : list === 'conversations'
            ? report.top_conversations.map((t) => ({ key: `${t.a} <-> ${t.b}`, bytes: t.bytes, packets: t.packets }))
            : list === 'ports'
              ? report.top_ports.map((t) => ({ key: `${t.transport}/${t.port}`, bytes: t.bytes, packets: t.packets }))
              : report.dns.top_names.map((t) => ({ key: t.name, packets: t.queries }));
    for (const e of entries) {
      const m = merged.get(e.key) ?? { key: e.key, packets: 0, ...(e.bytes === undefined ? {} : { bytes: 0 }) };
      m.packets += e.packets;
      if (e.bytes !== undefined) m.bytes = (m.bytes ?? 0) + e.bytes;
      merged.set(e.key, m);
    }
  }
  return [...merged.values()];
}

/** The table's rows are the top of `expected`: exact for every key ranked above the cut, ties at the cut either way. */
function expectTop(rows: Row[], expected: TopEntry[], keyColumn: string, countColumn: string, what: string): void {
  const rank = (e: TopEntry) => e.bytes ?? e.packets;
  const sorted = [...expected].sort((a, b) => rank(b) - rank(a));
  const n = Math.min(10, sorted.length);
  expect(n, what).toBeGreaterThan(0);
  expect(rows.length, what).toBe(n);
  const cut = rank(sorted[n - 1]);
  for (const e of sorted.filter((x) => rank(x) > cut)) {
    const row = rows.find((r) => r[keyColumn] === e.key);
    expect(row, `${what}: ${e.key}`).toBeDefined();
    expect(row![countColumn], `${what}: ${e.key}`).toBe(e.packets);
    if (e.bytes !== undefined) expect(row!.Bytes, `${what}: ${e.key}`).toBe(e.bytes);
  }
  const ranks = rows.map((r) => Number(r.Bytes ?? r[countColumn]));
  expect(ranks, `${what}: ranked`).toEqual([...ranks].sort((a, b) => b - a));
  expect(ranks.at(-1), `${what}: the cut`).toBe(cut);
}

// ---------------------------------------------------------------------------------------------
// Running a dashboard.

interface PanelResult {
  panel: PanelJson;
  /** One entry per target: the series InfluxDB returned. */
  series: Series[][];
  /** The first target as Grafana's table format, after the panel's transformations. */
  table(): Row[];
  /** Σ over buckets of rate × bucket length, per series name/tags label and column. */
  perSecondTotal(s: Series, column?: string): number;
}

async function runDashboard(
  file: string,
  scope: Scope,
  expectations: Record<string, (r: PanelResult) => void | Promise<void>>,
): Promise<void> {
  const panels = panelsOf(dashboard(file));
  const unchecked = panels.map((p) => p.title).filter((t) => !(t in expectations));
  expect(unchecked, `${file}: panels without an expectation`).toEqual([]);
  for (const panel of panels) {
    const series = await Promise.all(
      (panel.targets ?? []).map(async (t) => seriesOf(await stack.influx.query(interpolate(t.query, scope), DATABASE))),
    );
    const result: PanelResult = {
      panel,
      series,
      table: () => transform(asTable(series[0]), panel.transformations ?? []),
      perSecondTotal: (s, column) =>
        columnValues(s, column ?? s.columns[1]).reduce((a, v) => a + (v * scope.intervalMs) / 1000, 0),
    };
    try {
      await expectations[panel.title](result);
    } catch (error) {
      (error as Error).message = `${file} › ${panel.title}: ${(error as Error).message}`;
      throw error;
    }
  }
}

function scopeFor(runs: SensorRun[], intervalMs: number, range: 'capture' | 'through-now'): Scope {
  const first = Math.min(...sensors.map((s) => s.report.capture.first_packet ?? 0)) * 1000;
  const last = Math.max(...sensors.map((s) => s.report.capture.last_packet ?? 0)) * 1000;
  return {
    fromMs: Math.floor(first / 60_000) * 60_000 - 60_000,
    toMs: range === 'capture' ? Math.ceil(last / 60_000) * 60_000 + 60_000 : Date.now() + 60_000,
    intervalMs,
    variables: {
      sensor: runs.map((s) => s.id),
      interface: runs.map((s) => s.iface),
      rule: ['port-scan', 'sensor-silent'],
      severity: ['critical', 'warning'],
    },
  };
}

const single = (r: PanelResult) => {
  const rows = r.series[0].flatMap((s) => s.values);
  expect(rows.length, 'one row').toBeLessThanOrEqual(1);
  return rows.length === 0 ? null : (rows[0][1] as number | null);
};
const zeroOrNothing = (r: PanelResult) => {
  for (const s of r.series[0]) for (const v of s.values) for (const x of v.slice(1)) expect([null, 0]).toContain(x);
};
const byLabel = (r: PanelResult, label: (s: Series) => string, column?: string) =>
  Object.fromEntries(r.series[0].map((s) => [label(s), r.perSecondTotal(s, column)]));
const close = (actual: Record<string, number>, expected: Record<string, number>) => {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) expect(actual[k], k).toBeCloseTo(v, 6);
};

// ---------------------------------------------------------------------------------------------

function trafficExpectations(runs: SensorRun[]): Record<string, (r: PanelResult) => void | Promise<void>> {
  const classes = Object.keys(runs[0].report.protocols) as Array<keyof AnalysisReport['protocols']>;
  const perClass = (field: 'bytes' | 'packets', factor: number) =>
    Object.fromEntries(classes.map((c) => [c, total(runs, (r) => r.protocols[c][field]) * factor]));
  const flags: Record<string, keyof AnalysisReport['tcp_flags']> = {
    SYN: 'syn',
    'SYN-ACK': 'syn_ack',
    FIN: 'fin',
    RST: 'rst',
    PSH: 'psh',
    ACK: 'ack',
    URG: 'urg',
    ECE: 'ece',
    CWR: 'cwr',
  };
  const sizeColumns = ['≤ 64', '65–127', '128–255', '256–511', '512–1023', '1024–1518', '> 1518'];
  const rcodes: Record<string, string> = {
    NOERROR: 'NOERROR',
    NXDOMAIN: 'NXDOMAIN',
    SERVFAIL: 'SERVFAIL',
    REFUSED: 'REFUSED',
    FORMERR: 'FORMERR',
    NOTIMP: 'NOTIMP',
  };
  const fleet = sensors; // fleet-wide tables ignore the sensor variable
  const top =
    (measurementRuns: SensorRun[], list: Parameters<typeof topEntries>[1], key: string, count = 'Packets') =>
    (r: PanelResult) =>
      expectTop(r.table(), topEntries(measurementRuns, list), key, count, r.panel.title);
  const syn = total(runs, (r) => r.tcp_flags.syn);
  return {
    Bytes: (r) => expect(single(r)).toBe(total(runs, (x) => x.bytes)),
    Packets: (r) => expect(single(r)).toBe(total(runs, (x) => x.packets)),
    'Unanswered SYN share': (r) =>
      expect(single(r)).toBeCloseTo((syn - total(runs, (x) => x.tcp_flags.syn_ack)) / syn, 9),
    'NXDOMAIN share': (r) =>
      expect(single(r)).toBeCloseTo(total(runs, (x) => x.dns.nxdomain) / total(runs, (x) => x.dns.responses), 9),
    'Decode errors': (r) => expect(single(r)).toBe(total(runs, (x) => x.decode_errors.total)),
    'Kernel drops': zeroOrNothing,
    'Throughput by protocol': (r) =>
      close(
        byLabel(r, (s) => s.tags.class),
        perClass('bytes', 8),
      ),
    'Packets by protocol': (r) =>
      close(
        byLabel(r, (s) => s.tags.class),
        perClass('packets', 1),
      ),
    'Throughput per interface': (r) =>
      close(
        byLabel(r, (s) => `${s.tags.sensor} ${s.tags.interface}`),
        Object.fromEntries(runs.map((s) => [`${s.id} ${s.iface}`, s.report.bytes * 8])),
      ),
    'Protocol distribution': (r) =>
      expect(Object.fromEntries(r.series[0].map((s) => [s.tags.class, s.values[0][1]]))).toEqual(perClass('bytes', 1)),
    'Top sources': top(runs, 'sources', 'Source'),
    'Top destinations': top(runs, 'destinations', 'Destination'),
    'Top conversations': top(runs, 'conversations', 'Conversation'),
    'Top ports': top(runs, 'ports', 'Port'),
    'Fleet top sources': top(fleet, 'sources', 'Source'),
    'Fleet top destinations': top(fleet, 'destinations', 'Destination'),
    'Fleet top conversations': top(fleet, 'conversations', 'Conversation'),
    'Fleet top ports': top(fleet, 'ports', 'Port'),
    'TCP flags': (r) => {
      const s = r.series[0];
      expect(s).toHaveLength(1);
      for (const [column, flag] of Object.entries(flags))
        expect(r.perSecondTotal(s[0], column), column).toBeCloseTo(
          total(runs, (x) => x.tcp_flags[flag]),
          6,
        );
    },
    'Packet sizes': (r) => {
      const [s] = r.series[0];
      sizeColumns.forEach((column, i) =>
        expect(s.values[0][s.columns.indexOf(column)], column).toBe(total(runs, (x) => x.packet_sizes[i].packets)),
      );
    },
    'DNS queries and answers': (r) => {
      const [s] = r.series[0];
      expect(r.perSecondTotal(s, 'queries')).toBeCloseTo(
        total(runs, (x) => x.dns.queries),
        6,
      );
      expect(r.perSecondTotal(s, 'answers')).toBeCloseTo(
        total(runs, (x) => x.dns.responses),
        6,
      );
      expect(r.perSecondTotal(s, 'NXDOMAIN')).toBeCloseTo(
        total(runs, (x) => x.dns.nxdomain),
        6,
      );
    },
    'NXDOMAIN share over time': (r) => {
      const values = columnValues(r.series[0][0], 'NXDOMAIN share');
      expect(values.length).toBeGreaterThan(0);
      for (const v of values) expect(v).toBeGreaterThanOrEqual(0);
      for (const v of values) expect(v).toBeLessThanOrEqual(1);
      // With one bucket over the whole capture, the share is the capture's.
      if (values.length === 1)
        expect(values[0]).toBeCloseTo(total(runs, (x) => x.dns.nxdomain) / total(runs, (x) => x.dns.responses), 9);
    },
    'DNS response codes': (r) => {
      const [s] = r.series[0];
      for (const [column, rcode] of Object.entries(rcodes)) {
        const value = s.values[0][s.columns.indexOf(column)];
        expect(value ?? 0, column).toBe(total(runs, (x) => x.dns.rcodes[rcode] ?? 0));
      }
    },
    'Top DNS names': top(runs, 'dns_names', 'Name', 'Queries'),
    'Scan suspects': (r) => {
      const rows = r.table();
      const widest = [...fanoutByTshark]
        .filter(([, w]) => w.ports > 0 || w.hosts > 0)
        .sort((a, b) => b[1].ports - a[1].ports);
      expect(rows.length).toBe(Math.min(10, widest.length));
      expect(rows[0]).toMatchObject({ Source: widest[0][0], 'Ports tried': widest[0][1].ports });
      for (const row of rows) {
        const w = fanoutByTshark.get(String(row.Source));
        expect(w, String(row.Source)).toBeDefined();
        expect({ ports: row['Ports tried'], hosts: row['Hosts tried'] }, String(row.Source)).toEqual({
          ports: w!.ports,
          hosts: w!.hosts,
        });
      }
    },
  };
}

describe('Grafana panels against InfluxDB after a real ingest', () => {
  it('the variables list what was written', async () => {
    const values = async (query: string) =>
      new Set(
        seriesOf(
          await stack.influx.query(interpolate(query, scopeFor(sensors, 1000, 'through-now')), DATABASE),
        ).flatMap((s) => s.values.map((v) => String(v[1]))),
      );
    for (const file of ['traffic-overview.json', 'sensor-health.json', 'alerts.json']) {
      for (const v of dashboard(file).templating.list.filter((x) => x.type === 'query')) {
        const expected = {
          sensor: sensors.map((s) => s.id),
          interface: sensors.map((s) => s.iface),
          rule: ['port-scan', 'sensor-silent'],
          severity: ['critical', 'warning'],
        }[v.name];
        expect(expected, `${file} ${v.name}`).toBeDefined();
        expect(await values(v.query), `${file} ${v.name}`).toEqual(new Set(expected));
      }
    }
  });

  it('traffic overview: every panel, for all sensors and for one, in coarse and in 1-second buckets', async () => {
    await runDashboard('traffic-overview.json', scopeFor(sensors, 3_600_000, 'capture'), trafficExpectations(sensors));
    await runDashboard('traffic-overview.json', scopeFor(sensors, 1000, 'capture'), trafficExpectations(sensors));
    await runDashboard(
      'traffic-overview.json',
      scopeFor([sensors[1]], 10_000, 'capture'),
      trafficExpectations([sensors[1]]),
    );
  });

  it('sensor health: every panel', async () => {
    const check = (runs: SensorRun[]): Record<string, (r: PanelResult) => void | Promise<void>> => {
      const perInterface = (pick: (r: AnalysisReport) => number) =>
        Object.fromEntries(runs.map((s) => [`${s.id} ${s.iface}`, pick(s.report)]));
      const sensorsIn = (r: PanelResult) => r.series[0].map((s) => s.tags.sensor).sort();
      return {
        'Sensors reporting': (r) => expect(single(r)).toBe(runs.length),
        'Kernel drops': zeroOrNothing,
        'Summaries lost in the spool': (r) => expect(single(r)).toBe(0),
        'Decode errors': (r) => expect(single(r)).toBe(total(runs, (x) => x.decode_errors.total)),
        'Last heartbeat': (r) => {
          const rows = r.table();
          expect(rows.map((x) => x.sensor).sort()).toEqual(runs.map((s) => s.id).sort());
          for (const row of rows) expect(Number(row.Time)).toBeGreaterThanOrEqual(testStart);
          for (const row of rows) expect(Number(row.Time)).toBeLessThanOrEqual(Date.now());
          for (const row of rows) expect(Number(row.uptime)).toBeGreaterThanOrEqual(0);
        },
        'Interfaces since sensor start': (r) => {
          const rows = r.table();
          expect(rows).toHaveLength(runs.length);
          for (const s of runs) {
            const row = rows.find((x) => x.sensor === s.id && x.interface === s.iface);
            expect(row, s.id).toMatchObject({
              packets: s.report.packets,
              bytes: s.report.bytes,
              'decode errors': s.report.decode_errors.total,
            });
            expect([null, 0]).toContain(row!['kernel dropped']);
            expect(row!.Time).toBeUndefined();
          }
        },
        'Packets captured': (r) =>
          close(
            byLabel(r, (s) => `${s.tags.sensor} ${s.tags.interface}`),
            perInterface((x) => x.packets),
          ),
        'Kernel drops per second': zeroOrNothing,
        'Drop rate': zeroOrNothing,
        'Decode errors per second': (r) => {
          const withErrors = Object.fromEntries(
            Object.entries(byLabel(r, (s) => `${s.tags.sensor} ${s.tags.interface}`)).filter(([, v]) => v > 0),
          );
          close(
            withErrors,
            Object.fromEntries(Object.entries(perInterface((x) => x.decode_errors.total)).filter(([, v]) => v > 0)),
          );
        },
        'Decode errors by reason': (r) => {
          const expected: Record<string, number> = {};
          for (const s of runs)
            for (const [reason, n] of Object.entries(s.report.decode_errors.by_reason)) {
              const column = `sum_${reason.replace(/[.-]/g, '_')}`;
              expected[column] = (expected[column] ?? 0) + n;
            }
          const [s] = r.series[0] ?? [];
          const actual = s
            ? Object.fromEntries(
                s.columns
                  .slice(1)
                  .map((c, i) => [c, s.values[0][i + 1]])
                  .filter(([, v]) => v !== null),
              )
            : {};
          expect(actual).toEqual(expected);
        },
        'Spool depth': (r) => {
          expect(sensorsIn(r)).toEqual(runs.map((s) => s.id).sort());
          for (const s of r.series[0]) expect(Math.min(...columnValues(s, s.columns[1]))).toBeGreaterThanOrEqual(0);
        },
        'Publish lag': (r) => {
          expect(sensorsIn(r)).toEqual(runs.map((s) => s.id).sort());
          for (const s of r.series[0]) expect(Math.min(...columnValues(s, s.columns[1]))).toBeGreaterThanOrEqual(0);
        },
        'Summaries acknowledged': async (r) => {
          // Every summary a sensor got acknowledged is one stored interval.
          const stored = async (id: string) =>
            influxRows(
              await stack.influx.query(`SELECT count("packets") FROM "traffic" WHERE "sensor" = '${id}'`, DATABASE),
            )[0]?.count;
          const finals = Object.fromEntries(
            r.series[0].map((s) => [s.tags.sensor, Math.max(...columnValues(s, s.columns[1]))]),
          );
          for (const s of runs) expect(finals[s.id], s.id).toBe(await stored(s.id));
        },
      };
    };
    await runDashboard('sensor-health.json', scopeFor(sensors, 3_600_000, 'through-now'), check(sensors));
    await runDashboard('sensor-health.json', scopeFor([sensors[1]], 3_600_000, 'through-now'), check([sensors[1]]));
  });

  it('alerts: every panel, and the annotations on every dashboard', async () => {
    const count = (state: string, rule?: string) =>
      history.filter((h) => h.state === state && (!rule || h.rule === rule)).length;
    expect(firing.length).toBe(2);
    await runDashboard('alerts.json', scopeFor(sensors, 3_600_000, 'through-now'), {
      'Firing now': (r) => {
        const rows = r.table();
        expect(rows.map((x) => x.Alert).sort()).toEqual([...firing].sort());
        for (const row of rows) expect(row).toMatchObject({ Rule: 'sensor-silent', Severity: 'critical' });
      },
      Transitions: (r) => {
        const totals = Object.fromEntries(
          r.series[0].map((s) => [s.tags.state, columnValues(s, s.columns[1]).reduce((a, b) => a + b, 0)]),
        );
        expect(totals).toEqual(Object.fromEntries([...new Set(history.map((h) => h.state))].map((s) => [s, count(s)])));
      },
      'Firing by rule': (r) => {
        expect(Object.fromEntries(r.series[0].map((s) => [s.tags.rule, s.values[0][1]]))).toEqual({
          'port-scan': count('firing', 'port-scan'),
          'sensor-silent': count('firing', 'sensor-silent'),
        });
      },
      'Transitions in the time range': (r) => {
        const rows = r.table();
        const key = (x: { rule: unknown; state: unknown; alert: unknown }) =>
          `${String(x.rule)} ${String(x.state)} ${String(x.alert)}`;
        expect(rows.map((x) => key({ rule: x.Rule, state: x.State, alert: x.Alert })).sort()).toEqual(
          history.map((h) => key({ rule: h.rule, state: h.state, alert: h.dedup_key })).sort(),
        );
        const times = rows.map((x) => Number(x.Time));
        expect(times).toEqual([...times].sort((a, b) => b - a));
      },
    });
    for (const file of ['traffic-overview.json', 'sensor-health.json', 'alerts.json']) {
      const annotations = dashboard(file).annotations.list;
      expect(annotations.map((a) => a.name).sort()).toEqual(['Alerts firing', 'Alerts resolved']);
      for (const a of annotations) {
        const state = a.name === 'Alerts firing' ? 'firing' : 'resolved';
        const rows = asTable(
          seriesOf(
            await stack.influx.query(interpolate(a.target!.query, scopeFor(sensors, 1000, 'through-now')), DATABASE),
          ),
        );
        expect(rows.length, `${file} ${a.name}`).toBe(count(state));
        for (const row of rows) expect(String(row[a.target!.textColumn!]), `${file} ${a.name}`).toMatch(/\w/);
      }
    }
  });
});
