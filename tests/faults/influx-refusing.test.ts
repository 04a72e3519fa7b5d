import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { ROOT } from '../corpus/corpus.js';
import { startInfluxV1, startNats, waitFor, type InfluxV1Handle, type NatsHandle } from '../harness/index.js';
import { storedInInflux } from '../pipeline/readback.js';
import { collectorArgs, killAll, startService, type ServiceProcess } from '../pipeline/service-process.js';
import { publishAll, syntheticSummary } from '../pipeline/synthetic.js';

/** The collector's readiness while InfluxDB is down or refuses its writes: what docker-compose.yml's healthcheck relies on. */
let bundle: string;
let nats: NatsHandle;
let influx: InfluxV1Handle;

beforeAll(async () => {
  [bundle, nats, influx] = await Promise.all([buildCli(), startNats(), startInfluxV1()]);
}, 60_000);

afterAll(async () => {
  await killAll();
  await Promise.allSettled([nats?.dispose(), influx?.dispose()]);
});

function collector(group: string, database: string): ServiceProcess {
  return startService(bundle, collectorArgs(nats.url, { url: influx.url, db: database }), {
    WIREWATCH_CONSUMER_SUMMARIES: `${group}-summaries`,
    WIREWATCH_CONSUMER_HEARTBEATS: `${group}-heartbeats`,
    WIREWATCH_FLEET_CONSUMER: `${group}-fleet`,
  });
}

async function readyz(service: ServiceProcess): Promise<{ status: number; reason: string }> {
  const response = await fetch(`${await service.url()}/readyz`);
  const body = (await response.json()) as { reason?: string };
  return { status: response.status, reason: body.reason ?? '' };
}

/** docker-compose.yml's healthcheck command for the collector, pointed at this collector: its exit code. */
async function composeHealthcheck(service: ServiceProcess): Promise<number | null> {
  const { parse } = createRequire(join(ROOT, 'packages/service/package.json'))('yaml') as {
    parse: (text: string) => unknown;
  };
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { healthcheck: { test: string[] } }>;
  };
  const [, program, ...args] = compose.services.collector.healthcheck.test;
  expect(program).toBe('node');
  const base = await service.url();
  const pointed = args.map((a) => a.replace('http://127.0.0.1:9102', base));
  expect(pointed.join(' ')).toContain(`${base}/readyz`);
  return spawnSync(process.execPath, pointed, { timeout: 10_000 }).status;
}

describe('collector readiness follows InfluxDB', () => {
  it('InfluxDB stopped: /readyz 503 with the reason (and the compose healthcheck fails); started again: 200', async () => {
    await influx.createDatabase('up-down');
    const c = collector('updown', 'up-down');
    await c.ready();
    expect(await composeHealthcheck(c)).toBe(0);

    await influx.stop();
    // No traffic needed: /ping is asked every few seconds.
    await waitFor(async () => (await readyz(c)).status === 503, {
      what: '/readyz 503 with InfluxDB down',
      timeoutMs: 15_000,
    });
    expect((await readyz(c)).reason).toMatch(
      /InfluxDB does not answer \/ping: cannot reach InfluxDB at .*ECONNREFUSED/,
    );
    expect(await composeHealthcheck(c)).toBe(1);
    expect(c.logs.filter((l) => l.msg === 'not ready: InfluxDB')).toHaveLength(1);

    await influx.start();
    await waitFor(async () => (await readyz(c)).status === 200, {
      what: '/readyz 200 with InfluxDB back',
      timeoutMs: 15_000,
    });
    expect(await composeHealthcheck(c)).toBe(0);
    expect(c.logs.some((l) => l.msg === 'InfluxDB takes writes again')).toBe(true);
    await c.stop();
  }, 50_000);

  it('a database that refuses every write (404, no such database): 503 naming it; created: 200 and the data stored', async () => {
    const c = collector('refused', 'not-yet');
    await c.ready(); // /ping answers: the server is up, only its writes will fail
    const summaries = Array.from({ length: 5 }, (_, i) => ({
      sensor: 'refused',
      seq: i + 1,
      data: syntheticSummary('refused', i + 1, Date.now() - 60_000 + i * 1000, [1, 2, 3], 100),
    }));
    await publishAll(nats.url, summaries);
    await waitFor(async () => (await readyz(c)).status === 503, {
      what: '/readyz 503 while writes are refused',
      timeoutMs: 20_000,
    });
    expect((await readyz(c)).reason).toMatch(/InfluxDB writes failing.*database not found/);
    expect(await composeHealthcheck(c)).toBe(1);
    expect(await c.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBe(0);

    await influx.createDatabase('not-yet');
    await waitFor(async () => (await readyz(c)).status === 200, {
      what: '/readyz 200 once the database exists',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (await storedInInflux(influx, 'not-yet', 'refused')).intervals === 5, {
      what: 'the refused summaries stored after all',
      timeoutMs: 20_000,
    });
    await c.stop();
  }, 50_000);
});
