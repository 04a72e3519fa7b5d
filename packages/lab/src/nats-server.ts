import { join } from 'node:path';
import { answers } from './http.js';
import { SpawnedServer } from './spawned-server.js';

/** JetStream on, its store in `dataDir`; `configFile` for auth and TLS. */
export function natsServerArgs(dataDir: string, configFile?: string): string[] {
  return ['-js', '-sd', dataDir, ...(configFile ? ['-c', configFile] : [])];
}

/** Ready once JetStream is: the monitoring endpoint's health check. */
export function natsReady(monitorUrl: string): () => Promise<boolean> {
  return () => answers(`${monitorUrl}/healthz?js-enabled-only=true`, 200);
}

export interface NatsServerSpec {
  /** Holds the JetStream store (`data/`) and `server.log`. */
  dir: string;
  port: number;
  monitorPort: number;
  configFile?: string;
  /** The nats-server program (default: `nats-server` on the PATH). */
  command?: string;
  ownProcessGroup?: boolean;
}

/** The local `nats-server` with JetStream on 127.0.0.1; not started yet. */
export function natsServer(spec: NatsServerSpec): SpawnedServer {
  const host = '127.0.0.1';
  return new SpawnedServer({
    name: 'nats-server',
    command: spec.command ?? 'nats-server',
    dir: spec.dir,
    args: [
      ...natsServerArgs(join(spec.dir, 'data'), spec.configFile),
      '-a',
      host,
      '-p',
      String(spec.port),
      '-m',
      String(spec.monitorPort),
    ],
    isReady: natsReady(`http://${host}:${spec.monitorPort}`),
    ownProcessGroup: spec.ownProcessGroup,
  });
}
