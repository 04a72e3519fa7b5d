/**
 * nats-server (Debian's binary) on one of the lab's own configuration files (deploy/nats/*.conf,
 * with accounts.conf beside it) and the environment compose gives the NATS container. Moved, and
 * nothing else: the ports (flags), the store directory (the one line that names /data) and, for a
 * cluster node, the routes (flags: the compose host names do not resolve here).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answers, freePorts } from '../harness/index.js';
import { makeServerDir, startOrDispose } from '../harness/server-control.js';
import { SpawnedServer } from '../harness/spawned-server.js';
import { REPO } from './image-build.js';

export interface LabNats {
  server: SpawnedServer;
  url: string;
  monitorUrl: string;
}

export interface LabNatsNode {
  /** The cluster's route listener port of this node. */
  routePort: number;
  /** Every node's route port, this one's included (as the config lists all three). */
  routePorts: number[];
}

/** Creates (not starts) a server; `start()` it, or use `startLabNats`. */
export async function labNats(config: 'nats.conf' | 'cluster.conf', env: Record<string, string>, node?: LabNatsNode): Promise<LabNats> {
  const dir = makeServerDir(`lab-${config.replace('.conf', '')}`);
  mkdirSync(join(dir, 'data'));
  const text = readFileSync(join(REPO, 'deploy/nats', config), 'utf8');
  const moved = text.replace(/^(\s*store_dir:) \/data$/m, `$1 ${JSON.stringify(join(dir, 'data'))}`);
  if (moved === text) throw new Error(`deploy/nats/${config} has no "store_dir: /data" line`);
  writeFileSync(join(dir, config), moved);
  copyFileSync(join(REPO, 'deploy/nats/accounts.conf'), join(dir, 'accounts.conf'));
  const [port, monitor] = (await freePorts(2)) as [number, number];
  const cluster = node ? ['--cluster', `nats://127.0.0.1:${node.routePort}`, '--routes', node.routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',')] : [];
  const server = new SpawnedServer({
    name: 'nats-server', command: 'env', dir,
    args: [...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'nats-server', '-c', join(dir, config), '-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), ...cluster],
    isReady: () => answers(`http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`, 200),
  });
  return { server, url: `nats://127.0.0.1:${port}`, monitorUrl: `http://127.0.0.1:${monitor}` };
}

export async function startLabNats(config: 'nats.conf' | 'cluster.conf', env: Record<string, string>, node?: LabNatsNode): Promise<LabNats> {
  const nats = await labNats(config, env, node);
  await startOrDispose(nats.server);
  return nats;
}
