import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptureFile } from '@wirewatch/report';
import { CORPUS, ROOT } from '../corpus/corpus.js';
import { influxRows, waitFor } from '../harness/index.js';
import { storedInInflux, storedInVictoria, type Stored } from './readback.js';
import { DATABASE, startStack, type Stack } from './stack.js';
import { killAll, type ServiceProcess } from './service-process.js';

/**
 * Real captures of different shapes: many intervals, PCAPNG, IPv6, DNS, ARP, malformed frames (those
 * of tcpdump's corpus only where the corpus is checked out beside the repository).
 */
const CAPTURES = [
  join(ROOT, 'samples/lab.pcap'),
  join(CORPUS, 'afs.pcap'),
  join(CORPUS, 'arp-oobr.pcap'),
  join(CORPUS, 'of13_ericsson.pcapng'),
  join(CORPUS, 'pim-packet-assortment.pcap'),
  join(CORPUS, 'EIGRP_ipv6.pcap'),
  join(CORPUS, 'dns_tcp.pcap'),
  join(CORPUS, 'dns-zlip-1.pcap'),
].filter((path) => existsSync(path));

let stack: Stack;
let collectors: ServiceProcess[] = [];

beforeAll(async () => {
  stack = await startStack();
  // The fleet test expects later summaries merged into the merges of the first replay, which a replica
  // keeps only while it holds the lease: the stack's 3 s lease (for failover tests) can lapse on a
  // loaded two-core machine, and a new holder starts with no merges.
  const lease = { WIREWATCH_FLEET_LEASE_SECONDS: '30' };
  collectors = [stack.collectorV1('v1', [], lease), stack.collectorV2('v2', [], lease)];
  await Promise.all(collectors.map((c) => c.ready()));
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(collectors.map((c) => c.stop()));
  await killAll();
  await stack?.dispose();
});

function sensorId(path: string): string {
  return path
    .split('/')
    .pop()!
    .replace(/[^A-Za-z0-9_-]/g, '_');
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
        expect(Object.fromEntries(Object.entries(stored.classes).filter(([, c]) => c.packets > 0)), id).toEqual(
          classes,
        );
      }
      expect(v1!.intervals, id).toBe(v2!.intervals);
      // Top sources: every interval's rank-tagged list, summed per address, gives back analyze's ranking.
      for (const top of report.top_sources)
        expect(v1!.sources.get(top.ip), `${id} ${top.ip}`).toEqual({ packets: top.packets, bytes: top.bytes });
      const tenth = report.top_sources.at(-1)?.bytes ?? 0;
      const listed = new Set(report.top_sources.map((t) => t.ip));
      const missed = [...v1!.sources].filter(([ip, s]) => !listed.has(ip) && s.bytes > tenth);
      expect(missed, id).toEqual([]);
    }
  }, 120_000);

  it('merges every sensor into fleet-wide top lists per interval', async () => {
    // The sample capture again as two more sensors: their intervals line up with the first replay's.
    const lab = CAPTURES[0];
    const more = [stack.replay('fleet-a', lab), stack.replay('fleet-b', lab)];
    expect(await Promise.all(more.map((s) => s.exited))).toEqual([0, 0]);
    const { report } = analyzeCaptureFile(lab, { intervalSeconds: 1, topN: 10, topFlows: 0 });
    const intervals = report.timeline.filter((p) => p.packets > 0).length;
    // What the v1 collector logged about the lease and the merge, should the wait below time out.
    const fleetLog = () =>
      collectors[0].logs
        .map((l) => String(l.msg))
        .filter((m) => /fleet|lease|merging/i.test(m))
        .slice(-5)
        .join(' | ');
    const fleetRows = async () =>
      influxRows(
        await stack.influx.query(
          `SELECT "key", bytes, packets, sensors FROM fleet_top WHERE list = 'sources' AND rank = '1' AND sensors = 3`,
          DATABASE,
        ),
      );
    await waitFor(async () => (await fleetRows()).length === intervals, {
      what: `${intervals} fleet intervals merged from 3 sensors (collector v1 said: ${fleetLog()})`,
      timeoutMs: 30_000,
    });

    // Expected per interval: the per-sensor top sources summed by address (exact here: few hosts). The
    // per-sensor points come through another consumer than the fleet's: wait until they all agree.
    const mismatches = async (): Promise<string[]> => {
      const perSensor = influxRows(
        await stack.influx.query(
          `SELECT "key", bytes, packets FROM top WHERE list = 'sources' AND sensor =~ /^(lab_pcap|fleet-a|fleet-b)$/`,
          DATABASE,
        ),
      );
      const byTime = new Map<number, Map<string, { bytes: number; packets: number }>>();
      for (const r of perSensor) {
        const hosts = byTime.get(Number(r.time)) ?? new Map<string, { bytes: number; packets: number }>();
        const h = hosts.get(String(r.key)) ?? { bytes: 0, packets: 0 };
        h.bytes += Number(r.bytes);
        h.packets += Number(r.packets);
        hosts.set(String(r.key), h);
        byTime.set(Number(r.time), hosts);
      }
      const wrong: string[] = [];
      for (const row of await fleetRows()) {
        const hosts = [...(byTime.get(Number(row.time)) ?? [])].sort((x, y) => y[1].bytes - x[1].bytes);
        const top = hosts[0]?.[1];
        const tied = hosts.filter(([, h]) => h.bytes === top?.bytes).map(([k]) => k);
        if (top?.bytes !== row.bytes || top?.packets !== row.packets || !tied.includes(String(row.key)))
          wrong.push(
            `${String(row.time)}: fleet ${String(row.key)} ${String(row.bytes)} B, sensors' top ${JSON.stringify(hosts[0])}`,
          );
      }
      return wrong;
    };
    await waitFor(async () => (await mismatches()).length === 0, {
      what: 'the fleet-wide top source of every interval to equal the per-sensor top sources summed',
      timeoutMs: 20_000,
    }).catch(() => undefined);
    expect(await mismatches()).toEqual([]);
  }, 90_000);
});
