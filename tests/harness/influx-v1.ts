import { influxdServer } from '@wirewatch/lab';
import { runInfluxQL, type InfluxQueryResponse } from './influxql.js';
import { freePorts } from './ports.js';
import { lifecycleOf, makeServerDir, startOrDispose, type ServerControl } from './server-control.js';

export interface InfluxV1Options {
  /** Turns on HTTP auth with this admin user (created at first start). */
  auth?: { username: string; password: string };
}

export interface InfluxV1Handle extends ServerControl {
  /** http://127.0.0.1:PORT — the v1 API only (`/write`, `/query`, `/ping`); `/api/v2/write` answers 404. */
  readonly url: string;
  /** InfluxQL through POST /query with `epoch=ms` (times come back as epoch milliseconds). */
  query(influxql: string, db?: string): Promise<InfluxQueryResponse>;
  createDatabase(db: string): Promise<void>;
  readonly auth?: { username: string; password: string };
}

/** The local `influxd` (1.6.7 on Debian) on free loopback ports, with its data in a temp dir. */
export async function startInfluxV1({ auth }: InfluxV1Options = {}): Promise<InfluxV1Handle> {
  const dir = makeServerDir('influxd');
  const [httpPort, rpcPort] = (await freePorts(2)) as [number, number];
  const { server: control, url } = influxdServer({ dir, httpPort, rpcPort, authEnabled: auth !== undefined });
  await startOrDispose(control);
  // With auth on and no user yet, influxd accepts exactly this statement without credentials.
  if (auth) {
    const createUser = `CREATE USER ${JSON.stringify(auth.username)} WITH PASSWORD '${auth.password.replace(/'/g, "\\'")}' WITH ALL PRIVILEGES`;
    await runInfluxQL(url, createUser, {}).catch(async (error: unknown) => {
      await control.dispose();
      throw error;
    });
  }
  const headers: Record<string, string> = auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
  return {
    ...lifecycleOf(control),
    url,
    auth,
    query: (influxql, db) => runInfluxQL(url, influxql, db ? { db } : {}, headers),
    createDatabase: async (db) => {
      await runInfluxQL(url, `CREATE DATABASE ${JSON.stringify(db)}`, {}, headers);
    },
  };
}
