import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerServer } from './container-server.js';
import { dockerAvailable } from './docker.js';
import { natsReady, natsServer, natsServerArgs } from '@wirewatch/lab';
import { freePorts } from './ports.js';
import { lifecycleOf, makeServerDir, startOrDispose, type ServerControl } from './server-control.js';
import type { SpawnedServer } from './spawned-server.js';
import { makeTestCertificates } from './tls.js';

export type NatsAuth = { user: string; password: string } | { token: string };

export interface NatsOptions {
  auth?: NatsAuth;
  /** Serve TLS with a throwaway CA (`caFile` in the handle); the URL becomes tls://. */
  tls?: boolean;
}

export interface NatsHandle extends ServerControl {
  /** nats://HOST:PORT, or tls://HOST:PORT with `tls`. */
  readonly url: string;
  readonly port: number;
  /** HTTP monitoring endpoint (/healthz, /jsz, /varz). */
  readonly monitorUrl: string;
  /** The CA that signed the server certificate, for clients: `connect({ tls: { caFile } })`. */
  readonly caFile?: string;
  readonly auth?: NatsAuth;
  readonly runtime: 'binary' | 'container';
}

const CLIENT_PORT = 4222;
const MONITOR_PORT = 8222;

/** nats-server configuration for auth and TLS; `root` is where the server sees the temp dir. */
function natsConfig(options: NatsOptions, root: string): string | undefined {
  const lines: string[] = [];
  const { auth } = options;
  if (auth && 'token' in auth) lines.push(`authorization { token: ${JSON.stringify(auth.token)} }`);
  if (auth && 'user' in auth) {
    lines.push(`authorization { user: ${JSON.stringify(auth.user)}, password: ${JSON.stringify(auth.password)} }`);
  }
  if (options.tls) {
    lines.push(
      `tls { cert_file: ${JSON.stringify(join(root, 'server.pem'))}, key_file: ${JSON.stringify(join(root, 'server.key'))}, timeout: 2 }`,
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : undefined;
}

/**
 * A JetStream-enabled NATS server: `nats:2.10-alpine` when Docker answers, else the local `nats-server`
 * on free loopback ports. Its JetStream store lives in the temp dir, so stop()+start() keeps streams.
 */
export async function startNats(options: NatsOptions = {}): Promise<NatsHandle> {
  const dir = makeServerDir('nats');
  mkdirSync(join(dir, 'data'));
  const caFile = options.tls ? makeTestCertificates(dir).caFile : undefined;
  const [port, monitorPort] = (await freePorts(2)) as [number, number];
  const useDocker = await dockerAvailable();
  let control: SpawnedServer | ContainerServer;
  const host = () => (control instanceof ContainerServer ? control.host : '127.0.0.1');

  const root = useDocker ? '/harness' : dir;
  const config = natsConfig(options, root);
  if (config) writeFileSync(join(dir, 'nats.conf'), config);
  const configFile = config ? join(root, 'nats.conf') : undefined;

  if (useDocker) {
    control = new ContainerServer({
      name: 'nats',
      image: 'nats:2.10-alpine',
      dir,
      isReady: () => natsReady(`http://${host()}:${monitorPort}`)(),
      ports: [
        { container: CLIENT_PORT, host: port },
        { container: MONITOR_PORT, host: monitorPort },
      ],
      command: [
        ...natsServerArgs(join(root, 'data'), configFile),
        '-p',
        String(CLIENT_PORT),
        '-m',
        String(MONITOR_PORT),
      ],
      binds: [{ source: dir, target: root }],
    });
  } else {
    control = natsServer({ dir, port, monitorPort, configFile });
  }
  await startOrDispose(control);
  return {
    ...lifecycleOf(control),
    url: `${options.tls ? 'tls' : 'nats'}://${host()}:${port}`,
    port,
    monitorUrl: `http://${host()}:${monitorPort}`,
    caFile,
    auth: options.auth,
    runtime: useDocker ? 'container' : 'binary',
  };
}
