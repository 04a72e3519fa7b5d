/**
 * nats-server (Debian's binary) on one of the lab's own configuration files (deploy/nats/*.conf,
 * with accounts.conf beside it) and the environment compose gives the NATS container. Moved, and
 * nothing else: the ports (flags), the store directory (the one line that names /data) and, for a
 * cluster node, the routes (flags: the compose host names do not resolve here).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answers, freePorts, waitFor } from '../harness/index.js';
import { logPathOf, makeServerDir, startOrDispose } from '../harness/server-control.js';
import { SpawnedServer } from '../harness/spawned-server.js';
import { REPO } from './image-build.js';

export interface LabNats {
  server: SpawnedServer;
  url: string;
  monitorUrl: string;
  /** The server's directory: its copy of accounts.conf, server.log. */
  dir: string;
}

export interface LabNatsNode {
  /** The cluster's route listener port of this node. */
  routePort: number;
  /** Every node's route port, this one's included (as the config lists all three). */
  routePorts: number[];
}

/**
 * Creates (not starts) a server; `start()` it, or use `startLabNats`. `users`: entries added to the
 * accounts' users, as an operator pastes them: a sensor's (e.g. `wirewatch credentials sensor ID`'s)
 * into SENSORS, any other into WIREWATCH (`accountOf`).
 */
export async function labNats(
  config: 'nats.conf' | 'cluster.conf',
  env: Record<string, string>,
  node?: LabNatsNode,
  users: string[] = [],
): Promise<LabNats> {
  const dir = makeServerDir(`lab-${config.replace('.conf', '')}`);
  mkdirSync(join(dir, 'data'));
  const text = readFileSync(join(REPO, 'deploy/nats', config), 'utf8');
  const moved = text.replace(/^(\s*store_dir:) \/data$/m, `$1 ${JSON.stringify(join(dir, 'data'))}`);
  if (moved === text) throw new Error(`deploy/nats/${config} has no "store_dir: /data" line`);
  writeFileSync(join(dir, config), moved);
  if (users.length === 0) copyFileSync(join(REPO, 'deploy/nats/accounts.conf'), join(dir, 'accounts.conf'));
  else writeAccounts(dir, users);
  const [port, monitor] = (await freePorts(2)) as [number, number];
  const cluster = node
    ? [
        '--cluster',
        `nats://127.0.0.1:${node.routePort}`,
        '--routes',
        node.routePorts.map((p) => `nats://127.0.0.1:${p}`).join(','),
      ]
    : [];
  const server = new SpawnedServer({
    name: 'nats-server',
    command: 'env',
    dir,
    args: [
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      'nats-server',
      '-c',
      join(dir, config),
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-m',
      String(monitor),
      ...cluster,
    ],
    isReady: () => answers(`http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`, 200),
  });
  return { server, url: `nats://127.0.0.1:${port}`, monitorUrl: `http://127.0.0.1:${monitor}`, dir };
}

export async function startLabNats(
  config: 'nats.conf' | 'cluster.conf',
  env: Record<string, string>,
  node?: LabNatsNode,
  users: string[] = [],
): Promise<LabNats> {
  const nats = await labNats(config, env, node, users);
  await startOrDispose(nats.server);
  return nats;
}

export type LabAccount = 'SENSORS' | 'WIREWATCH';

/**
 * The account an added user entry belongs in: a sensor's (it may publish nothing but a sensor's summary
 * and heartbeat subjects) in SENSORS, where JetStream's acks to it cannot reach WIREWATCH; any other in WIREWATCH.
 */
export function accountOf(stanza: string): LabAccount {
  const allow = /publish:\s*\{\s*allow:\s*\[([^\]]*)\]/.exec(stanza)?.[1];
  const subjects = allow?.split(',').map((s) => s.trim().replace(/^"|"$/g, '')) ?? [];
  return subjects.length > 0 && subjects.every((s) => /^wirewatch\.v1\.(summary|heartbeat)\.[^.*>\s]+$/.test(s))
    ? 'SENSORS'
    : 'WIREWATCH';
}

/** The shipped accounts.conf with `users` added at the top of their account's users (`accountOf`), into the server's directory. */
function writeAccounts(dir: string, users: string[]): void {
  let text = readFileSync(join(REPO, 'deploy/nats/accounts.conf'), 'utf8');
  for (const account of ['SENSORS', 'WIREWATCH'] as const) {
    const mine = users.filter((u) => accountOf(u) === account);
    if (mine.length === 0) continue;
    const marker = new RegExp(`^(\\s*${account} \\{\\n(?:.*\\n)*?\\s*users: \\[\\n)`, 'm');
    if (!marker.test(text)) throw new Error(`deploy/nats/accounts.conf has no "users: [" in its ${account} account`);
    text = text.replace(marker, (head) => `${head}${mine.join('\n')}\n`);
  }
  writeFileSync(join(dir, 'accounts.conf'), text);
}

/**
 * Rewrites the running server's accounts.conf with these added users (the shipped file plus them) and
 * has it reload its configuration (SIGHUP, as `nats-server --signal reload` sends); resolves once the
 * server logged the reload.
 */
export async function reloadLabNats(nats: LabNats, users: string[]): Promise<void> {
  const reloads = () =>
    (readFileSync(logPathOf(nats.dir), 'utf8').match(/Reloaded server configuration/g) ?? []).length;
  const before = reloads();
  writeAccounts(nats.dir, users);
  process.kill(nats.server.pid!, 'SIGHUP');
  await waitFor(() => reloads() > before, { what: 'nats-server to reload its configuration', timeoutMs: 10_000 });
}
