import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptureFile } from '@wirewatch/report';
import { buildCli } from '../../scripts/build-cli.mjs';
import { ROOT } from '../corpus/corpus.js';
import { startInfluxV1, startNats, waitFor, type InfluxV1Handle, type NatsHandle } from '../harness/index.js';
import { connect, jetstreamManager } from '../harness/nats-client.js';
import { storedInInflux } from '../pipeline/readback.js';
import { killAll, startService, type ServiceProcess } from '../pipeline/service-process.js';

/**
 * NATS restarted with its JetStream store lost (disk replaced, volume wiped): streams, durable
 * consumers and KV buckets are all gone, while the services stay connected and keep running.
 */
const DATABASE = 'storeloss';
const LAB = join(ROOT, 'samples/lab.pcap');
const { report } = analyzeCaptureFile(LAB, { intervalSeconds: 1, topN: 10, topFlows: 0 });

let bundle: string;
let nats: NatsHandle;
let influx: InfluxV1Handle;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-store-loss-'));
  [bundle, nats, influx] = await Promise.all([buildCli(), startNats(), startInfluxV1()]);
  await influx.createDatabase(DATABASE);
}, 60_000);

afterAll(async () => {
  await killAll();
  await Promise.allSettled([nats?.dispose(), influx?.dispose()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const common = () => ['--nats', nats.url, '--http-port', '0', '--http-host', '127.0.0.1'];

function collector(group: string, env: Record<string, string> = {}): ServiceProcess {
  return startService(
    bundle,
    ['collector', ...common(), '--influx-url', influx.url, '--influx-api', 'v1', '--influx-db', DATABASE],
    {
      WIREWATCH_CONSUMER_SUMMARIES: `${group}-summaries`,
      WIREWATCH_CONSUMER_HEARTBEATS: `${group}-heartbeats`,
      WIREWATCH_FLEET_CONSUMER: `${group}-fleet`,
      WIREWATCH_FLEET_LEASE_SECONDS: '3',
      ...env,
    },
  );
}

/** A sensor replaying the lab capture; it does not manage streams (the default), so it spools while the stream is missing. */
function replay(id: string): ServiceProcess {
  return startService(bundle, [
    'sensor',
    ...common(),
    '--id',
    id,
    '--pcap',
    LAB,
    '--speed',
    'max',
    '--spool-dir',
    join(dir, `spool-${id}`),
  ]);
}

/** Stops nats-server, deletes its JetStream store, starts it again on the same port. */
async function wipeStore(): Promise<void> {
  await nats.stop();
  const store = join(nats.dir, 'data');
  rmSync(store, { recursive: true, force: true });
  mkdirSync(store);
  await nats.start();
}

async function streamNames(): Promise<string[]> {
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const s of jsm.streams.list()) names.push(s.config.name);
    return names;
  } finally {
    await nc.close();
  }
}

async function consumerNames(stream: string): Promise<string[]> {
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const c of jsm.consumers.list(stream)) names.push(c.name);
    return names;
  } catch {
    return [];
  } finally {
    await nc.close();
  }
}

async function readyz(service: ServiceProcess): Promise<{ status: number; body: string }> {
  const response = await fetch(`${await service.url()}/readyz`);
  return { status: response.status, body: await response.text() };
}

async function expectAllStored(sensor: string): Promise<void> {
  await waitFor(async () => (await storedInInflux(influx, DATABASE, sensor)).packets === report.packets, {
    what: `${sensor}: all ${report.packets} frames stored`,
    timeoutMs: 30_000,
  });
  expect((await storedInInflux(influx, DATABASE, sensor)).intervals).toBe(report.timeline.length);
}

describe('NATS store lost', () => {
  it('the collector recreates the stream and its consumers: sensor → collector → InfluxDB flows on without a restart', async () => {
    const c = collector('wipe');
    await c.ready();
    const before = replay('before-wipe');
    expect(await before.exited).toBe(0);
    await expectAllStored('before-wipe');

    await wipeStore();
    // Noticed without any traffic: the consumers' pull requests find their consumer and stream gone.
    await waitFor(async () => (await c.metric('wirewatch_collector_jetstream_recreated_total')) >= 1, {
      what: 'stream and consumers recreated',
      timeoutMs: 20_000,
    });
    expect(await streamNames()).toContain('WIREWATCH');
    // The fleet lease's bucket too, or no replica would merge fleet-wide top lists again.
    await waitFor(async () => (await streamNames()).includes('KV_wirewatch_collectors'), {
      what: 'lease bucket recreated',
      timeoutMs: 10_000,
    });
    await waitFor(async () => (await c.metric('wirewatch_collector_fleet_leader')) === 1, {
      what: 'fleet lease held again',
      timeoutMs: 10_000,
    });
    expect(await c.metric('wirewatch_collector_kv_buckets_recreated_total')).toBeGreaterThanOrEqual(1);
    expect(await consumerNames('WIREWATCH')).toEqual(
      expect.arrayContaining(['wipe-summaries', 'wipe-heartbeats', 'wipe-fleet']),
    );
    expect(c.logs.filter((l) => String(l.msg).includes('recreated, consuming again')).length).toBeGreaterThanOrEqual(1);

    const after = replay('after-wipe');
    expect(await after.exited).toBe(0);
    await expectAllStored('after-wipe');
    expect((await readyz(c)).status).toBe(200);
    expect(c.child.exitCode).toBeNull();
    await c.stop();
  }, 55_000);

  it('without nats.manageStreams: /readyz 503 naming the missing stream, logged once; ready again once an operator recreates it', async () => {
    // Someone that manages streams made it first (here a collector that then stopped).
    const maker = collector('maker');
    await maker.ready();
    await maker.stop();
    const c = collector('unmanaged', { WIREWATCH_NATS_MANAGE_STREAMS: 'false' });
    await c.ready();
    await wipeStore();
    await waitFor(async () => (await readyz(c)).body.includes('stream WIREWATCH not found'), {
      what: '/readyz naming the missing stream',
      timeoutMs: 20_000,
    });
    const { status, body } = await readyz(c);
    expect(status).toBe(503);
    expect(body).toContain('nats.manageStreams is off');
    expect(await streamNames()).not.toContain('WIREWATCH');

    // The operator recreates the stream (as the maker would): the collector recreates its own consumers.
    const operator = collector('operator');
    await operator.ready();
    await waitFor(async () => (await readyz(c)).status === 200, { what: '/readyz 200 again', timeoutMs: 20_000 });
    expect(await consumerNames('WIREWATCH')).toEqual(
      expect.arrayContaining(['unmanaged-summaries', 'unmanaged-heartbeats']),
    );
    expect(c.logs.filter((l) => l.msg === 'not ready: cannot consume')).toHaveLength(1);
    await Promise.all([c.stop(), operator.stop()]);
  }, 55_000);

  it('the alerter recreates its consumers and its state and lease buckets', async () => {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      'rules:\n  - name: sensor-silent\n    kind: absence\n    severity: critical\n    of: heartbeat\n    group_by: [sensor]\n    after: 30s\n',
    );
    const config = join(dir, 'alerter.yaml');
    writeFileSync(config, `rules: ${rules}\n`);
    const a = startService(bundle, ['alerter', '-c', config, ...common()], {
      WIREWATCH_CONSUMER_SUMMARIES: 'al-summaries',
      WIREWATCH_CONSUMER_HEARTBEATS: 'al-heartbeats',
    });
    await waitFor(async () => (await a.metric('wirewatch_alerter_active')) === 1, {
      what: 'alerter active',
      timeoutMs: 20_000,
    });

    await wipeStore();
    await waitFor(async () => (await consumerNames('WIREWATCH')).includes('al-summaries'), {
      what: 'alerter consumers recreated',
      timeoutMs: 20_000,
    });
    expect(await consumerNames('WIREWATCH')).toContain('al-heartbeats');
    await waitFor(async () => (await streamNames()).includes('KV_wirewatch_alerter_lease'), {
      what: 'lease bucket recreated',
      timeoutMs: 20_000,
    });
    expect(await a.metric('wirewatch_alerter_active')).toBe(1);

    // Traffic makes it evaluate and save its state: into a state bucket it creates again.
    const sensor = replay('alerted');
    expect(await sensor.exited).toBe(0);
    await waitFor(async () => (await streamNames()).includes('KV_wirewatch_alerter'), {
      what: 'state bucket recreated',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (await a.metric('wirewatch_alerter_state_unsaved')) === 0, {
      what: 'state saved',
      timeoutMs: 20_000,
    });
    expect((await readyz(a)).status).toBe(200);
    await a.stop();
  }, 55_000);
});
