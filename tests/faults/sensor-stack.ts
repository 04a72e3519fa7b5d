import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildCli } from '../../scripts/build-cli.mjs';
import {
  influxRows,
  startInfluxV1,
  startNats,
  waitFor,
  type InfluxV1Handle,
  type NatsHandle,
} from '../harness/index.js';
import { startService, type ServiceProcess } from '../pipeline/service-process.js';

export const DATABASE = 'wirewatch';

/** NATS + influxd + one collector, and a way to start sensors against them: what the sensor fault tests share. */
export interface SensorStack {
  bundle: string;
  nats: NatsHandle;
  influx: InfluxV1Handle;
  collector: ServiceProcess;
  dir: string;
  /** `wirewatch sensor` with the stack's NATS, health on a free loopback port, and `args`. */
  sensor(args: string[], env?: Record<string, string>): ServiceProcess;
  /** `wirewatch analyze <pcap> --interval <s> --json -`. */
  analyze(pcap: string, intervalSeconds: number): Promise<AnalyzeReport>;
  /** Every stored interval of `sensor` (measurement `traffic`): epoch ms → packets. */
  storedIntervals(sensor: string): Promise<Map<number, number>>;
  /** The stored intervals of `sensor` once there are `count` of them (the collector writes in batches). */
  storedOnce(sensor: string, count: number): Promise<Map<number, number>>;
  dispose(): Promise<void>;
}

export interface AnalyzeReport {
  packets: number;
  timeline: Array<{ start: number; packets: number; bytes: number }>;
}

export async function startSensorStack(): Promise<SensorStack> {
  const [bundle, nats, influx] = await Promise.all([buildCli(), startNats(), startInfluxV1()]);
  await influx.createDatabase(DATABASE);
  const dir = mkdtempSync(join(tmpdir(), 'wirewatch-faults-'));
  const http = ['--http-port', '0', '--http-host', '127.0.0.1'];
  // The collector creates the stream (a sensor leaves it alone by default): wait for it before any sensor.
  const collector = startService(bundle, [
    'collector',
    '--nats',
    nats.url,
    ...http,
    '--influx-url',
    influx.url,
    '--influx-api',
    'v1',
    '--influx-db',
    DATABASE,
  ]);
  await collector.ready();
  const storedIntervals = async (sensor: string) => {
    const rows = influxRows(await influx.query(`SELECT packets FROM traffic WHERE sensor = '${sensor}'`, DATABASE));
    return new Map(rows.map((r) => [Number(r.time), Number(r.packets)]));
  };
  return {
    bundle,
    nats,
    influx,
    collector,
    dir,
    sensor: (args, env = {}) => startService(bundle, ['sensor', '--nats', nats.url, ...http, ...args], env),
    async analyze(pcap, intervalSeconds) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [bundle, 'analyze', pcap, '--interval', String(intervalSeconds), '--no-progress', '--json', '-'],
        {
          maxBuffer: 64 << 20,
        },
      );
      return JSON.parse(stdout) as AnalyzeReport;
    },
    storedIntervals,
    async storedOnce(sensor, count) {
      let stored = new Map<number, number>();
      await waitFor(async () => (stored = await storedIntervals(sensor)).size === count, {
        what: `${count} intervals of ${sensor} stored`,
        timeoutMs: 20_000,
      });
      return stored;
    },
    async dispose() {
      await collector.stop().catch(() => undefined);
      await Promise.allSettled([nats.dispose(), influx.dispose()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Milliseconds of an analyze timeline start (seconds, fractional), as InfluxDB returns times. */
export const startMs = (start: number): number => Math.round(start * 1000);
