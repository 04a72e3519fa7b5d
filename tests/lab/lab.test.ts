/** `pnpm lab` as a user runs it: up, traffic in InfluxDB, a port-scan alert by mail, and a clean Ctrl-C. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts, influxRows, waitFor } from '../harness/index.js';
import { runInfluxQL } from '../harness/influxql.js';

// The sensor captures on lo (root or CAP_NET_RAW; CI runs as root); elsewhere the lab replays a
// capture instead, whose port scan comes too late for this test.
const canCapture = process.getuid?.() === 0 || process.env.CI !== undefined;
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every process below `pid` (children, their children, ...), from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parents)
      if (parent === p) {
        found.push(child);
        walk(child);
      }
  };
  walk(pid);
  return found;
}

/** Running, not a zombie waiting for a reaper. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const PORT_NAMES = ['nats', 'influx', 'sensor', 'collector', 'alerter', 'smtp', 'webhook'];

/** `pnpm lab`'s entry in a directory of its own, on free ports; `up` resolves once it printed where everything is. */
async function startLab(extra: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'wirewatch-lab-test-'));
  dirs.push(dir);
  const ports = await freePorts(PORT_NAMES.length);
  const portFlags = PORT_NAMES.flatMap((name, i) => [`--${name}-port`, String(ports[i])]);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'packages/lab/src/main.ts',
      '--dir',
      dir,
      '--no-install',
      '--duration',
      '300',
      ...portFlags,
      ...extra,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  labs.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  let exitCode: number | string | undefined;
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve((exitCode = code ?? signal ?? -1))),
  );
  const explain = (what: string) => `${what}; the lab said:\n${out}`;
  const until = <T>(condition: () => T | Promise<T>, what: string, timeoutMs: number) =>
    waitFor(condition, { what, timeoutMs }).catch((error: Error) => {
      throw new Error(explain(error.message));
    });
  await until(() => out.includes('wirewatch lab is up') || exitCode !== undefined, 'the lab to come up', 40_000);
  expect(exitCode, explain('the lab exited')).toBeUndefined();
  return { child, dir, ports, exited, output: () => out, explain, until };
}

const labs: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(
    labs
      .filter((l) => l.exitCode === null && l.signalCode === null)
      .map((l) => new Promise((resolve) => l.once('exit', resolve).kill('SIGKILL'))),
  );
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!canCapture)('pnpm lab', () => {
  it('comes up, stores the generated traffic in InfluxDB, mails the port-scan alert, and stops everything on SIGINT', async () => {
    const lab = await startLab(['--scan-every', '2']);
    expect(lab.output()).toContain('live capture on lo');

    const influx = `http://127.0.0.1:${lab.ports[1]}`;
    const stored = async () => {
      const rows = influxRows(
        await runInfluxQL(influx, `SELECT sum("packets") AS packets FROM "traffic" WHERE "sensor" = 'lab'`, {
          db: 'wirewatch',
        }),
      );
      return Number(rows[0]?.packets ?? 0);
    };
    await lab.until(async () => (await stored()) > 0, 'traffic in InfluxDB', 10_000);

    const mailDir = join(lab.dir, 'mail');
    const firing = await lab.until(
      () => readdirSync(mailDir).find((f) => /^\d{4}-firing-warning-port-scan-on-lab\.eml$/.test(f)),
      'the port-scan alert by mail',
      15_000,
    );
    const mail = readFileSync(join(mailDir, firing), 'utf8');
    expect(mail).toMatch(/^Subject: \[FIRING warning\] port-scan on lab/m);
    expect(mail).toContain('127.0.0.1');
    expect(lab.output()).toMatch(/webhook: firing port-scan .*source=127\.0\.0\.1 \(signature ok\)/);

    // nats-server, influxd, collector, alerter, sensor, traffic, and a watchdog for each.
    const processes = descendants(lab.child.pid!);
    expect(processes.length, lab.explain('processes')).toBeGreaterThanOrEqual(6);
    lab.child.kill('SIGINT');
    expect(await lab.exited, lab.explain('exit code')).toBe(0);
    expect(lab.output()).toContain('lab: stopped; every process ended');
    expect(processes.filter(running)).toEqual([]);
    for (const port of lab.ports) expect(await canListen(port), `port ${port} free`).toBe(true);
  }, 120_000);

  it('a service that dies is reported in one line, and the lab stops the rest and exits non-zero', async () => {
    const lab = await startLab(['--no-traffic']);
    const processes = descendants(lab.child.pid!);
    const collector = processes.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('\0collector\0'));
    expect(collector, lab.explain('the collector process')).toBeDefined();
    process.kill(collector!, 'SIGKILL');
    expect(await lab.exited, lab.explain('exit code')).toBe(1);
    expect(lab.output()).toMatch(
      /^lab: collector exited unexpectedly \(signal SIGKILL\); it last said: .*\(log: .*collector\/server\.log\)$/m,
    );
    expect(processes.filter(running)).toEqual([]);
  }, 120_000);
});
