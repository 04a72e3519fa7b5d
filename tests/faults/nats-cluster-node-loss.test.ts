import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { ROOT } from '../corpus/corpus.js';
import { labNats, type LabNats } from '../deploy/lab-nats.js';
import { freePorts, startInfluxV1, waitFor, type InfluxV1Handle } from '../harness/index.js';
import { startOrDispose } from '../harness/server-control.js';
import { storedInInflux } from '../pipeline/readback.js';
import { killAll, startService, type ServiceProcess } from '../pipeline/service-process.js';
import { INBOX, LAB_NATS_ENV } from '../security/nats-users.js';

/**
 * Issue 11: one node of the three-node cluster of deploy/nats/cluster.conf killed (SIGKILL) in the
 * middle of a replay, with three-replica streams and the shipped least-privilege users (the lab's
 * sensor is `lab`). 60 s of samples/lab.pcap replayed at 10x: the kill lands while summaries flow.
 */
const LAB = join(ROOT, 'samples/lab.pcap');
const SENSOR = 'lab';

interface Lab {
  packets: number;
  bytes: number;
  timeline: unknown[];
}

let bundle: string;
let influx: InfluxV1Handle;
let lab: Lab;
let nodes: LabNats[] = [];
let dir: string;

beforeAll(async () => {
  [bundle, influx] = await Promise.all([buildCli(), startInfluxV1()]);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [bundle, 'analyze', LAB, '--interval', '1', '--no-progress', '--json', '-'],
    { maxBuffer: 64 << 20 },
  );
  lab = JSON.parse(stdout) as Lab;
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-nats-cluster-'));
}, 60_000);

afterEach(async () => {
  await killAll();
  await Promise.allSettled(nodes.map((n) => n.server.dispose()));
  nodes = [];
});

afterAll(async () => {
  await influx?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Three nodes of cluster.conf named nats-1..3, once all see the same JetStream meta leader. */
async function startCluster(): Promise<LabNats[]> {
  const routePorts = await freePorts(3);
  nodes = await Promise.all(
    [0, 1, 2].map((i) =>
      labNats(
        'cluster.conf',
        { ...LAB_NATS_ENV, NATS_SERVER_NAME: `nats-${i + 1}` },
        { routePort: routePorts[i], routePorts },
      ),
    ),
  );
  await Promise.all(nodes.map((n) => startOrDispose(n.server)));
  await waitFor(
    async () => {
      const jsz = await Promise.all(
        nodes.map(
          async (n) =>
            (await (await fetch(`${n.monitorUrl}/jsz`)).json()) as {
              meta_cluster?: { leader?: string; cluster_size?: number };
            },
        ),
      );
      return jsz.every((j) => j.meta_cluster?.leader && j.meta_cluster.cluster_size === 3);
    },
    { what: 'a JetStream meta leader seen by all three nodes', timeoutMs: 20_000 },
  );
  return nodes;
}

/** Names of the client connections on a node (e.g. `wirewatch-sensor lab`). */
async function clientsOn(node: LabNats): Promise<string[]> {
  const connz = (await (await fetch(`${node.monitorUrl}/connz`)).json()) as { connections?: Array<{ name?: string }> };
  return (connz.connections ?? []).map((c) => c.name ?? '');
}

/** As the lab's operator user: the stream's leader, replicas, and how many summaries of the sensor it holds. */
async function streamState(servers: string[]): Promise<{ leader: string; replicas: number; summaries: number }> {
  const nc = await connect({ servers, user: 'operator', pass: LAB_NATS_ENV.NATS_OPERATOR_PASSWORD });
  try {
    const info = await (
      await jetstreamManager(nc)
    ).streams.info('WIREWATCH', { subjects_filter: `wirewatch.v1.summary.${SENSOR}` });
    return {
      leader: info.cluster?.leader ?? '',
      replicas: info.config.num_replicas,
      summaries: info.state.subjects?.[`wirewatch.v1.summary.${SENSOR}`] ?? 0,
    };
  } finally {
    await nc.close();
  }
}

const reconnected = (s: ServiceProcess, after: number) =>
  s.logs.some((l) => l.msg === 'NATS connection' && l.event === 'reconnect' && Date.parse(String(l.time)) >= after);

describe('NATS cluster: a node killed mid-replay', () => {
  it.each([
    ['the node the sensor is connected to', 'sensor'],
    ['the stream leader', 'leader'],
  ] as const)(
    '%s: stored totals equal analyze, each summary once in the stream, the clients on it reconnect',
    async (_, target) => {
      const database = `cluster_${target}`;
      await influx.createDatabase(database);
      const cluster = await startCluster();
      const servers = cluster.map((n) => n.url);
      const as = (user: 'collector' | 'sensor') => ({
        WIREWATCH_NATS_USER: user,
        WIREWATCH_NATS_PASSWORD: LAB_NATS_ENV[`NATS_${user.toUpperCase()}_PASSWORD`],
      });
      const http = ['--http-port', '0', '--http-host', '127.0.0.1'];
      const collector = startService(
        bundle,
        [
          'collector',
          '--nats',
          servers.join(','),
          ...http,
          '--influx-url',
          influx.url,
          '--influx-api',
          'v1',
          '--influx-db',
          database,
        ],
        {
          ...as('collector'),
          WIREWATCH_NATS_INBOX_PREFIX: INBOX.collector,
          WIREWATCH_NATS_REPLICAS: '3',
        },
      );
      await collector.ready();
      const sensor = startService(
        bundle,
        [
          'sensor',
          '--nats',
          servers.join(','),
          ...http,
          '--id',
          SENSOR,
          '--pcap',
          LAB,
          '--speed',
          '10',
          '--spool-dir',
          join(dir, `spool-${target}`),
        ],
        as('sensor'),
      );
      await waitFor(async () => (await sensor.metric('wirewatch_sensor_published_total')) >= 15, {
        what: '15 summaries published',
        timeoutMs: 20_000,
      });

      const before = await streamState(servers);
      expect(before.replicas).toBe(3);
      const onNode = await Promise.all(cluster.map(clientsOn));
      const victim =
        target === 'sensor'
          ? cluster[onNode.findIndex((names) => names.includes(`wirewatch-sensor ${SENSOR}`))]
          : cluster[Number(before.leader.replace('nats-', '')) - 1];
      const victimClients = onNode[cluster.indexOf(victim)];
      const killedAt = Date.now();
      await victim.server.kill();
      const published = await sensor.metric('wirewatch_sensor_published_total');
      expect(published).toBeLessThan(lab.timeline.length); // the kill landed mid-replay

      expect(await sensor.exited, sensor.stderr()).toBe(0);
      expect(
        sensor.logs.find((l) => typeof l.published === 'number' && typeof l.droppedDiskFull === 'number'),
      ).toMatchObject({
        msg: 'all summaries published',
        published: lab.timeline.length,
      });
      await waitFor(async () => (await storedInInflux(influx, database, SENSOR)).packets === lab.packets, {
        what: `all ${lab.packets} frames stored`,
        timeoutMs: 30_000,
      });
      expect(await storedInInflux(influx, database, SENSOR)).toMatchObject({
        packets: lab.packets,
        bytes: lab.bytes,
        intervals: lab.timeline.length,
      });

      const survivors = servers.filter((u) => u !== victim.url);
      // Just after the stream leader (perhaps the meta leader too) died, the survivors may still be
      // electing: a JetStream API request can time out until they have. Asked again until they answer.
      let answer: Awaited<ReturnType<typeof streamState>> | undefined;
      await waitFor(async () => Boolean((answer = await streamState(survivors))), {
        what: 'the surviving nodes to answer a stream info',
        timeoutMs: 30_000,
      });
      const after = answer!;
      expect(after.summaries).toBe(lab.timeline.length); // a resend after a lost ack was de-duplicated
      expect(after.leader).not.toBe(`nats-${cluster.indexOf(victim) + 1}`);
      expect(await collector.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBe(
        lab.timeline.length,
      );

      // Whoever was connected to the killed node says so and reconnects elsewhere.
      if (target === 'sensor') expect(victimClients).toContain(`wirewatch-sensor ${SENSOR}`);
      if (victimClients.includes(`wirewatch-sensor ${SENSOR}`)) expect(reconnected(sensor, killedAt)).toBe(true);
      if (victimClients.some((n) => n.startsWith('wirewatch-collector'))) {
        await waitFor(() => reconnected(collector, killedAt), { what: 'the collector to log its reconnect' });
      }
      expect((await fetch(`${await collector.url()}/readyz`)).status).toBe(200);
      console.log(
        `nats-cluster (${target}): killed nats-${cluster.indexOf(victim) + 1} (stream leader before: ${before.leader}, after: ${after.leader}; clients on it: ${JSON.stringify(victimClients)}), ` +
          `${published} of ${lab.timeline.length} published at the kill, sensor publish failures ${sensor.logs.filter((l) => l.msg === 'JetStream publish failing; summaries wait in the spool').length} lines, ` +
          `collector redelivered ${await collector.metric('wirewatch_collector_redelivered_total')}`,
      );
      await collector.stop();
    },
    90_000,
  );
});
