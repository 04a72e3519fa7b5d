import type { InfluxV1Handle, VictoriaHandle } from '../harness/index.js';
import { influxRows } from '../harness/index.js';

/** What the pipeline must reproduce of `wirewatch analyze`: totals, classes, top sources. */
export interface Stored {
  packets: number;
  bytes: number;
  intervals: number;
  classes: Record<string, { packets: number; bytes: number }>;
  /** Bytes and packets per source address, summed over the sensor's rank-tagged top lists. */
  sources: Map<string, { packets: number; bytes: number }>;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export async function storedInInflux(influx: InfluxV1Handle, db: string, sensor: string): Promise<Stored> {
  const where = `WHERE sensor = ${quote(sensor)}`;
  const [totals] = influxRows(
    await influx.query(
      `SELECT sum(packets) AS packets, sum(bytes) AS bytes, count(packets) AS n FROM traffic ${where}`,
      db,
    ),
  );
  const classes: Stored['classes'] = {};
  for (const row of influxRows(
    await influx.query(
      `SELECT sum(packets) AS packets, sum(bytes) AS bytes FROM protocol ${where} GROUP BY "class"`,
      db,
    ),
  )) {
    classes[String(row.class)] = { packets: Number(row.packets), bytes: Number(row.bytes) };
  }
  const sources = new Map<string, { packets: number; bytes: number }>();
  for (const row of influxRows(
    await influx.query(`SELECT "key", packets, bytes FROM top ${where} AND list = 'sources'`, db),
  )) {
    const key = String(row.key);
    const s = sources.get(key) ?? { packets: 0, bytes: 0 };
    s.packets += Number(row.packets);
    s.bytes += Number(row.bytes);
    sources.set(key, s);
  }
  return {
    packets: Number(totals?.packets ?? 0),
    bytes: Number(totals?.bytes ?? 0),
    intervals: Number(totals?.n ?? 0),
    classes,
    sources,
  };
}

/** The same from VictoriaMetrics (v2 write path): fields are metrics `<measurement>_<field>`; no string fields, so no sources. */
export async function storedInVictoria(vm: VictoriaHandle, sensor: string): Promise<Omit<Stored, 'sources'>> {
  const sum = (series: Awaited<ReturnType<VictoriaHandle['export']>>) =>
    series.reduce((a, s) => a + s.values.reduce((x, y) => x + y, 0), 0);
  const packets = await vm.export(`traffic_packets{sensor="${sensor}"}`);
  const bytes = await vm.export(`traffic_bytes{sensor="${sensor}"}`);
  const classes: Stored['classes'] = {};
  for (const s of await vm.export(`protocol_packets{sensor="${sensor}"}`)) {
    const c = (classes[s.metric.class] ??= { packets: 0, bytes: 0 });
    c.packets += s.values.reduce((x, y) => x + y, 0);
  }
  for (const s of await vm.export(`protocol_bytes{sensor="${sensor}"}`)) {
    const c = (classes[s.metric.class] ??= { packets: 0, bytes: 0 });
    c.bytes += s.values.reduce((x, y) => x + y, 0);
  }
  return {
    packets: sum(packets),
    bytes: sum(bytes),
    intervals: packets.reduce((a, s) => a + s.values.length, 0),
    classes,
  };
}
