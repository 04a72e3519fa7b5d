/**
 * `docker-compose config` (Debian's docker-compose 1.29, which validates and resolves a compose file
 * without a Docker engine), read back as plain objects.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO } from './image-build.js';

// `yaml` is a dependency of the workspace packages, not of the root; borrow packages/service's.
const { parse } = createRequire(join(REPO, 'packages/service/package.json'))('yaml') as {
  parse: (text: string) => unknown;
};

/** The lab's env file: every `${NAME:?...}` of the compose files is set there. */
export const LAB_ENV_FILE = join(REPO, 'deploy/.env.example');

export interface Mount {
  type: 'bind' | 'volume';
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  command?: string[];
  environment: Record<string, string>;
  volumes?: Mount[];
  ports?: string[];
  network_mode?: string;
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  read_only?: boolean;
  restart?: string;
  user?: string;
  profiles?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
}

export interface ComposeConfig {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { driver?: string; driver_opts?: Record<string, string> }>;
}

let present: boolean | undefined;
export function hasDockerCompose(): boolean {
  present ??= spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
  return present;
}

/** Runs docker-compose in the repository with these files; every profile enabled. */
export function compose(
  files: string[],
  args: string[],
  envFile: string | null = LAB_ENV_FILE,
): { status: number | null; stdout: string; stderr: string } {
  // No variable of this process may stand in for one the env file should give, nor change compose.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(COMPOSE_|DOCKER_)|PASSWORD|TOKEN|^(NATS|INFLUX|GRAFANA|SENSOR|ALERTER|TRAFFIC|MAILPIT|COLLECTOR)_/.test(k),
    ),
  );
  const run = spawnSync(
    'docker-compose',
    [...(envFile ? ['--env-file', envFile] : []), ...files.flatMap((f) => ['-f', f]), '--profile', 'traffic', ...args],
    {
      cwd: REPO,
      encoding: 'utf8',
      env,
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The resolved configuration of these compose files, with the lab's env file. */
export function composeConfig(files: string[]): ComposeConfig {
  const run = compose(files, ['config']);
  if (run.status !== 0) throw new Error(`docker-compose config failed: ${run.stderr.trim()}`);
  const raw = parse(run.stdout) as Omit<ComposeConfig, 'services'> & {
    services: Record<string, Record<string, unknown>>;
  };
  const services: Record<string, ComposeService> = {};
  for (const [name, s] of Object.entries(raw.services)) {
    services[name] = {
      ...(s as unknown as ComposeService),
      command: typeof s.command === 'string' ? s.command.split(/\s+/) : (s.command as string[] | undefined),
      environment: Object.fromEntries(
        Object.entries((s.environment ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      ),
      volumes: (s.volumes as Array<string | Record<string, unknown>> | undefined)?.map(mount),
      ports: (s.ports as unknown[] | undefined)?.map(String),
    };
  }
  return { ...raw, services };
}

function mount(v: string | Record<string, unknown>): Mount {
  if (typeof v !== 'string') {
    return {
      type: v.type === 'bind' ? 'bind' : 'volume',
      source: String(v.source),
      target: String(v.target),
      readOnly: v.read_only === true,
    };
  }
  const [source, target, mode] = v.split(':');
  return {
    type: source.startsWith('/') ? 'bind' : 'volume',
    source,
    target,
    readOnly: (mode ?? '').split(',').includes('ro'),
  };
}
