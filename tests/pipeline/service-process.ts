import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '../harness/index.js';

/** A wirewatch service (`sensor`, `collector`) running as its own process from the CLI bundle. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Base URL of /healthz, /readyz, /metrics, once the service said where it listens. */
  url(): Promise<string>;
  /** Resolves once /readyz answers 200. */
  ready(): Promise<void>;
  /** Every JSON log line so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  /** A metric's value (summed over label sets that match `labels`), 0 when absent. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<number | string>;
  kill(): Promise<number | string>;
  stderr(): string;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Kills every service this test file started that is still running (for afterAll, even after a failure). */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
}

/**
 * Starts `node <bundle> ...args`; with `direct`, runs `bundle` itself as the program (e.g. a wrapper
 * such as setpriv that then runs node).
 */
export function startService(
  bundle: string,
  args: string[],
  env: Record<string, string> = {},
  how: { direct?: boolean } = {},
): ServiceProcess {
  const child = spawn(how.direct ? bundle : process.execPath, how.direct ? args : [bundle, ...args], {
    env: { ...process.env, ...env, WIREWATCH_LOG_LEVEL: env.WIREWATCH_LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const logs: Array<Record<string, unknown>> = [];
  let err = '';
  let pending = '';
  let address: string | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const l of lines) {
      try {
        const entry = JSON.parse(l) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'health and metrics listening' && typeof entry.url === 'string')
          address = entry.url.replace('0.0.0.0', '127.0.0.1');
      } catch {
        logs.push({ msg: l });
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  const url = async (): Promise<string> => {
    const name = how.direct ? args.find((a) => a === 'sensor' || a === 'collector') : args[0];
    await waitFor(() => address !== undefined || child.exitCode !== null, {
      what: `${name} to listen`,
      timeoutMs: 20_000,
    });
    if (address === undefined)
      throw new Error(`${name} exited (${child.exitCode}): ${err.trim() || JSON.stringify(logs.slice(-3))}`);
    return address;
  };
  return {
    child,
    url,
    async ready() {
      const base = await url();
      await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, {
        what: `${how.direct ? 'service' : args[0]} ready`,
        timeoutMs: 20_000,
      });
    },
    logs,
    exited,
    async metric(name, labels = {}) {
      const text = await (await fetch(`${await url()}/metrics`)).text();
      return sumMetric(text, name, labels);
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      return exited;
    },
    stderr: () => err,
  };
}

/** Sums the samples of `name` whose labels include `labels` in Prometheus text format. */
export function sumMetric(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

/** Where a collector writes: an InfluxDB v1 database or a v2 bucket (VictoriaMetrics) at `url`. */
export type CollectorTarget = { url: string; db: string } | { url: string; bucket: string };

/** A collector's command line on loopback (HTTP on a free port): NATS at `natsUrl`, writing to `target`. */
export function collectorArgs(natsUrl: string, target: CollectorTarget, ...extra: string[]): string[] {
  const where =
    'db' in target
      ? ['--influx-api', 'v1', '--influx-db', target.db]
      : ['--influx-api', 'v2', '--influx-bucket', target.bucket];
  return [
    'collector',
    '--nats',
    natsUrl,
    '--http-port',
    '0',
    '--http-host',
    '127.0.0.1',
    '--influx-url',
    target.url,
    ...where,
    ...extra,
  ];
}
