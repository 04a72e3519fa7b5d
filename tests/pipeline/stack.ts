import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli } from '../../scripts/build-cli.mjs';
import {
  startInfluxV1,
  startNats,
  startVictoriaMetrics,
  type InfluxV1Handle,
  type NatsHandle,
  type VictoriaHandle,
} from '../harness/index.js';
import { startService, type ServiceProcess } from './service-process.js';

export const DATABASE = 'wirewatch';

/** NATS + influxd (v1 API) + VictoriaMetrics (v2 write API), and a way to run wirewatch services against them. */
export interface Stack {
  bundle: string;
  nats: NatsHandle;
  influx: InfluxV1Handle;
  vm: VictoriaHandle;
  dir: string;
  /** A collector writing to influxd through the v1 API (consumer names prefixed by `group`). */
  collectorV1(group?: string, extraArgs?: string[], env?: Record<string, string>): ServiceProcess;
  /** A collector writing to VictoriaMetrics through the v2 API. */
  collectorV2(group?: string, extraArgs?: string[], env?: Record<string, string>): ServiceProcess;
  /** A sensor replaying `pcap`, as fast as possible, with its own spool directory. */
  replay(id: string, pcap: string, extraArgs?: string[]): ServiceProcess;
  dispose(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const [bundle, nats, influx, vm] = await Promise.all([
    buildCli(),
    startNats(),
    startInfluxV1(),
    startVictoriaMetrics(),
  ]);
  await influx.createDatabase(DATABASE);
  const dir = mkdtempSync(join(tmpdir(), 'wirewatch-stack-'));
  const common = ['--nats', nats.url, '--http-port', '0', '--http-host', '127.0.0.1'];
  const consumerEnv = (group: string) => ({
    WIREWATCH_CONSUMER_SUMMARIES: `${group}-summaries`,
    WIREWATCH_CONSUMER_HEARTBEATS: `${group}-heartbeats`,
    WIREWATCH_FLEET_CONSUMER: `${group}-fleet`,
    // A killed replica's unacknowledged batch comes back after this long.
    WIREWATCH_CONSUMER_ACK_WAIT_SECONDS: '5',
    WIREWATCH_FLEET_LEASE_SECONDS: '3',
    // replay-e2e replays 2,427 intervals, then expects later summaries merged into the first ones:
    // more than the default memory cap of the fleet merge keeps (tests/faults/fleet-memory.test.ts).
    WIREWATCH_FLEET_MAX_INTERVALS: '10000',
    WIREWATCH_FLEET_MAX_MEGABYTES: '2048',
  });
  return {
    bundle,
    nats,
    influx,
    vm,
    dir,
    collectorV1: (group = 'v1', extra = [], env = {}) =>
      startService(
        bundle,
        [
          'collector',
          ...common,
          '--influx-url',
          influx.url,
          '--influx-api',
          'v1',
          '--influx-db',
          DATABASE,
          '--top',
          '100',
          ...extra,
        ],
        { ...consumerEnv(group), ...env },
      ),
    collectorV2: (group = 'v2', extra = [], env = {}) =>
      startService(
        bundle,
        [
          'collector',
          ...common,
          '--influx-url',
          vm.url,
          '--influx-api',
          'v2',
          '--influx-bucket',
          DATABASE,
          '--top',
          '100',
          ...extra,
        ],
        { ...consumerEnv(group), ...env },
      ),
    replay: (id, pcap, extra = []) =>
      startService(bundle, [
        'sensor',
        ...common,
        '--id',
        id,
        '--pcap',
        pcap,
        '--speed',
        'max',
        '--spool-dir',
        join(dir, `spool-${id}`),
        ...extra,
      ]),
    async dispose() {
      await Promise.allSettled([nats.dispose(), influx.dispose(), vm.dispose()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
