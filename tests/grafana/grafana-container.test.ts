import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../corpus/corpus.js';
import { dockerAvailable } from '../harness/index.js';

/**
 * The provisioning as Grafana itself reads it: a real Grafana (testcontainers) with grafana/provisioning
 * and grafana/dashboards mounted as docker-compose.yml mounts them, read back through its HTTP API.
 * Needs a Docker engine; without one the panel queries are still checked against a real InfluxDB by
 * panel-queries.test.ts, with Grafana's interpolation and transformations re-done in the test.
 */
const IMAGE = 'grafana/grafana-oss:12.2.0';
const FILES = ['traffic-overview.json', 'sensor-health.json', 'alerts.json'];
const docker = await dockerAvailable();

let grafana: StartedTestContainer | undefined;
let base = '';

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
  });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

describe.skipIf(!docker)('Grafana provisioning (needs a Docker engine)', () => {
  beforeAll(async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    grafana = await new GenericContainer(IMAGE)
      .withExposedPorts(3000)
      .withEnvironment({
        GF_SECURITY_ADMIN_PASSWORD: 'admin',
        GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: '/var/lib/grafana/dashboards/traffic-overview.json',
        WIREWATCH_INFLUX_URL: 'http://influxdb.invalid:8086',
        WIREWATCH_INFLUX_BUCKET: 'wirewatch',
        WIREWATCH_INFLUX_TOKEN: 'not-used-here',
      })
      .withBindMounts([
        { source: join(ROOT, 'grafana/provisioning'), target: '/etc/grafana/provisioning', mode: 'ro' },
        { source: join(ROOT, 'grafana/dashboards'), target: '/var/lib/grafana/dashboards', mode: 'ro' },
      ])
      .withWaitStrategy(Wait.forHttp('/api/health', 3000).forStatusCode(200))
      .start();
    base = `http://${grafana.getHost()}:${grafana.getMappedPort(3000)}`;
  }, 180_000);

  afterAll(async () => {
    await grafana?.stop();
  });

  it('provisions the InfluxQL data source and every dashboard, panels intact', async () => {
    const ds = await get<{ type: string; jsonData: { version: string; dbName: string } }>(
      '/api/datasources/uid/wirewatch-influxdb',
    );
    expect(ds).toMatchObject({ type: 'influxdb', jsonData: { version: 'InfluxQL', dbName: 'wirewatch' } });
    const found = await get<Array<{ uid: string }>>('/api/search?tag=wirewatch');
    for (const file of FILES) {
      const committed = JSON.parse(readFileSync(join(ROOT, 'grafana/dashboards', file), 'utf8')) as {
        uid: string;
        panels: Array<{ title: string }>;
      };
      expect(found.map((d) => d.uid)).toContain(committed.uid);
      const served = await get<{ dashboard: { panels: Array<{ title: string }> } }>(
        `/api/dashboards/uid/${committed.uid}`,
      );
      expect(served.dashboard.panels.map((p) => p.title)).toEqual(committed.panels.map((p) => p.title));
    }
  });
});
