import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answers } from './http.js';
import { SpawnedServer } from './spawned-server.js';

export interface InfluxdSpec {
  /** Holds the configuration, the data and `server.log`. */
  dir: string;
  httpPort: number;
  rpcPort: number;
  authEnabled?: boolean;
  /** The influxd program (default: `influxd` on the PATH). */
  command?: string;
  ownProcessGroup?: boolean;
}

function influxdConfig(dir: string, httpPort: number, rpcPort: number, authEnabled: boolean): string {
  const path = (name: string) => JSON.stringify(join(dir, name));
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = ${path('meta')}
[data]
  dir = ${path('data')}
  wal-dir = ${path('wal')}
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  auth-enabled = ${authEnabled}
[logging]
  level = "warn"
  suppress-logo = true
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`;
}

/** `influxd` 1.x (Debian's 1.6.7 speaks the v1 API only) on loopback ports, configured and kept in `dir`; not started yet. */
export function influxdServer(spec: InfluxdSpec): { server: SpawnedServer; url: string } {
  const configPath = join(spec.dir, 'influxd.conf');
  writeFileSync(configPath, influxdConfig(spec.dir, spec.httpPort, spec.rpcPort, spec.authEnabled ?? false));
  const url = `http://127.0.0.1:${spec.httpPort}`;
  const server = new SpawnedServer({
    name: 'influxd',
    command: spec.command ?? 'influxd',
    args: ['run', '-config', configPath],
    dir: spec.dir,
    isReady: () => answers(`${url}/ping`, 204),
    ownProcessGroup: spec.ownProcessGroup,
  });
  return { server, url };
}
