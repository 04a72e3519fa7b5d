import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerServer } from './container-server.js';
import { dockerAvailable } from './docker.js';
import { answers, expectOk } from './http.js';
import { runInfluxQL, type InfluxQueryResponse } from './influxql.js';
import { freePort } from './ports.js';
import { lifecycleOf, makeServerDir, startOrDispose, type ServerControl } from './server-control.js';

export interface InfluxV2Handle extends ServerControl {
  /** http://HOST:PORT — the v2 API (`/api/v2/write`) and InfluxQL `/query` through DBRP. */
  readonly url: string;
  readonly org: string;
  readonly bucket: string;
  /** The operator token (all permissions). */
  readonly token: string;
  /** InfluxQL on database = bucket (retention policy autogen), times as epoch milliseconds. */
  query(influxql: string): Promise<InfluxQueryResponse>;
}

const API_PORT = 8086;

/** Maps database `bucket`/autogen to the bucket, so that InfluxQL can read it (idempotent). */
async function mapDbrp(url: string, org: string, bucket: string, token: string): Promise<void> {
  const headers = { authorization: `Token ${token}`, 'content-type': 'application/json' };
  const buckets = await expectOk(
    await fetch(`${url}/api/v2/buckets?${new URLSearchParams({ org, name: bucket }).toString()}`, { headers }),
    'list buckets',
  );
  const bucketID = ((await buckets.json()) as { buckets: { id: string }[] }).buckets[0]?.id;
  if (!bucketID) throw new Error(`influxdb:2.7 has no bucket ${bucket} after setup`);
  const existing = await fetch(`${url}/api/v2/dbrps?${new URLSearchParams({ org, db: bucket }).toString()}`, {
    headers,
  });
  const mapped = existing.ok && ((await existing.json()) as { content?: unknown[] }).content?.length;
  if (mapped) return;
  const body = JSON.stringify({ bucketID, org, database: bucket, retention_policy: 'autogen', default: true });
  await expectOk(await fetch(`${url}/api/v2/dbrps`, { method: 'POST', headers, body }), 'create DBRP mapping');
}

/** `influxdb:2.7` set up with an org, bucket and token; null when no Docker engine answers. */
export async function startInfluxV2(): Promise<InfluxV2Handle | null> {
  if (!(await dockerAvailable())) return null;
  const dir = makeServerDir('influxdb2');
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'config'));
  const port = await freePort();
  const org = 'wirewatch';
  const bucket = 'wirewatch';
  const token = randomBytes(24).toString('hex');
  let baseUrl = '';
  const control: ContainerServer = new ContainerServer({
    name: 'influxdb2',
    image: 'influxdb:2.7',
    dir,
    ports: [{ container: API_PORT, host: port }],
    env: {
      DOCKER_INFLUXDB_INIT_MODE: 'setup',
      DOCKER_INFLUXDB_INIT_USERNAME: 'wirewatch',
      DOCKER_INFLUXDB_INIT_PASSWORD: randomBytes(12).toString('hex'),
      DOCKER_INFLUXDB_INIT_ORG: org,
      DOCKER_INFLUXDB_INIT_BUCKET: bucket,
      DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: token,
    },
    binds: [
      { source: join(dir, 'data'), target: '/var/lib/influxdb2' },
      { source: join(dir, 'config'), target: '/etc/influxdb2' },
    ],
    // The image runs a temporary server for setup, then the real one: ready once the bucket is listed.
    isReady: () => {
      baseUrl = `http://${control.host}:${port}`;
      return answers(`${baseUrl}/api/v2/buckets?${new URLSearchParams({ org, name: bucket }).toString()}`, 200, {
        authorization: `Token ${token}`,
      });
    },
  });
  await startOrDispose(control);
  await mapDbrp(baseUrl, org, bucket, token).catch(async (error: unknown) => {
    await control.dispose();
    throw error;
  });
  const url = baseUrl;
  return {
    ...lifecycleOf(control),
    url,
    org,
    bucket,
    token,
    query: (influxql) => runInfluxQL(url, influxql, { db: bucket }, { authorization: `Token ${token}` }),
  };
}
