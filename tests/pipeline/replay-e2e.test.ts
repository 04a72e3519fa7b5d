import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptureFile } from '../../packages/report/src/index.js';
import { CORPUS, ROOT } from '../corpus/corpus.js';
import { waitFor } from '../harness/index.js';
import { storedInInflux, storedInVictoria, type Stored } from './readback.js';
import { DATABASE, startStack, type Stack } from './stack.js';
import { killAll, type ServiceProcess } from './service-process.js';

/** Real captures of different shapes: many intervals, PCAPNG, IPv6, DNS, ARP, malformed frames. */
const CAPTURES = [
  join(ROOT, 'samples/lab.pcap'),
  join(CORPUS, 'afs.pcap'),
  join(CORPUS, 'arp-oobr.pcap'),
  join(CORPUS, 'of13_ericsson.pcapng'),
  join(CORPUS, 'pim-packet-assortment.pcap'),
  join(CORPUS, 'EIGRP_ipv6.pcap'),
  join(CORPUS, 'dns_tcp.pcap'),
  join(CORPUS, 'dns-zlip-1.pcap'),
];

let stack: Stack;
let collectors: ServiceProcess[] = [];

beforeAll(async () => {
  stack = await startStack();
  collectors = [stack.collectorV1(), stack.collectorV2()];
  await Promise.all(collectors.map((c) => c.url()));
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(collectors.map((c) => c.stop()));
  await killAll();
  await stack?.dispose();
});

function sensorId(path: string): string {
  return path.split('/').pop()!.replace(/[^A-Za-z0-9_-]/g, '_');
}

describe('sensor → NATS JetStream → collector → InfluxDB, on real captures', () => {
  it('stores exactly what `wirewatch analyze` reports: totals, classes, top sources (v1 and v2 write paths)', async () => {
    const sensors = CAPTURES.map((path) => stack.replay(sensorId(path), path));
    const codes = await Promise.all(sensors.map((s) => s.exited));
    expect(codes, sensors.map((s) => s.stderr()).join('\n')).toEqual(CAPTURES.map(() => 0));

    for (const path of CAPTURES) {
      const id = sensorId(path);
      const { report } = analyzeCaptureFile(path, { intervalSeconds: 1, topN: 10, topFlows: 0 });
      let v1: Stored | undefined;
      await waitFor(async () => (v1 = await storedInInflux(stack.influx, DATABASE, id)).packets === report.packets, {
        what: `${id}: ${report.packets} packets in influxd`,
        timeoutMs: 20_000,
      });
      let v2: Omit<Stored, 'sources'> | undefined;
      await waitFor(async () => (v2 = await storedInVictoria(stack.vm, id)).packets === report.packets, {
        what: `${id}: ${report.packets} packets in victoria-metrics`,
        timeoutMs: 20_000,
      });
      const classes = Object.fromEntries(Object.entries(report.protocols).filter(([, c]) => c.packets > 0));
      for (const stored of [v1!, v2!]) {
        expect(stored.bytes, id).toBe(report.bytes);
        expect(Object.fromEntries(Object.entries(stored.classes).filter(([, c]) => c.packets > 0)), id).toEqual(classes);
      }
      expect(v1!.intervals, id).toBe(v2!.intervals);
      // Top sources: every interval's rank-tagged list, summed per address, gives back analyze's ranking.
      for (const top of report.top_sources) expect(v1!.sources.get(top.ip), `${id} ${top.ip}`).toEqual({ packets: top.packets, bytes: top.bytes });
      const tenth = report.top_sources.at(-1)?.bytes ?? 0;
      const listed = new Set(report.top_sources.map((t) => t.ip));
      const missed = [...v1!.sources].filter(([ip, s]) => !listed.has(ip) && s.bytes > tenth);
      expect(missed, id).toEqual([]);
    }
  }, 120_000);
});
