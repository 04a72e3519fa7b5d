/** `pnpm lab` as a user runs it: up, traffic in InfluxDB, a port-scan alert by mail, and a clean Ctrl-C. */
import { spawn } from 'node:child_process';
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
const dir = mkdtempSync(join(tmpdir(), 'wirewatch-lab-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    for (const [child, parent] of parents) if (parent === p) found.push(child), walk(child);
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

describe.skipIf(!canCapture)('pnpm lab', () => {
  it('comes up, stores the generated traffic in InfluxDB, mails the port-scan alert, and stops everything on SIGINT', async () => {
    const names = ['nats', 'influx', 'sensor', 'collector', 'alerter', 'smtp', 'webhook'];
    const ports = await freePorts(names.length);
    const portFlags = names.flatMap((name, i) => [`--${name}-port`, String(ports[i])]);
    const lab = spawn(process.execPath, ['--import', 'tsx', 'packages/lab/src/main.ts', '--dir', dir, '--scan-every', '2', '--no-install', '--duration', '300', ...portFlags], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    lab.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    lab.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    let exitCode: number | string | undefined;
    const exited = new Promise<number | string>((resolve) => lab.on('exit', (code, signal) => resolve((exitCode = code ?? signal ?? -1))));
    const explain = (what: string) => `${what}; the lab said:\n${out}`;
    try {
      await waitFor(() => out.includes('wirewatch lab is up') || exitCode !== undefined, { what: 'the lab to come up', timeoutMs: 40_000 });
      expect(exitCode, explain('the lab exited')).toBeUndefined();
      expect(out).toContain('live capture on lo');

      const influx = `http://127.0.0.1:${ports[1]}`;
      const stored = async () => {
        const rows = influxRows(await runInfluxQL(influx, `SELECT sum("packets") AS packets FROM "traffic" WHERE "sensor" = 'lab'`, { db: 'wirewatch' }));
        return Number(rows[0]?.packets ?? 0);
      };
      await waitFor(async () => (await stored()) > 0, { what: 'traffic in InfluxDB', timeoutMs: 10_000 }).catch((e: Error) => {
        throw new Error(explain(e.message));
      });

      const mailDir = join(dir, 'mail');
      const firing = await waitFor(() => readdirSync(mailDir).find((f) => /^\d{4}-firing-warning-port-scan-on-lab\.eml$/.test(f)), {
        what: 'the port-scan alert by mail',
        timeoutMs: 15_000,
      }).catch((e: Error) => {
        throw new Error(explain(e.message));
      });
      const mail = readFileSync(join(mailDir, firing), 'utf8');
      expect(mail).toMatch(/^Subject: \[FIRING warning\] port-scan on lab/m);
      expect(mail).toContain('127.0.0.1');
      expect(out).toMatch(/webhook: firing port-scan .*source=127\.0\.0\.1 \(signature ok\)/);

      // nats-server, influxd, collector, alerter, sensor, traffic, and a watchdog for each.
      const processes = descendants(lab.pid!);
      expect(processes.length, explain('processes')).toBeGreaterThanOrEqual(6);
      lab.kill('SIGINT');
      expect(await exited, explain('exit code')).toBe(0);
      expect(out).toContain('lab: stopped; every process ended');
      expect(processes.filter(running)).toEqual([]);
      for (const port of ports) expect(await canListen(port), `port ${port} free`).toBe(true);
    } finally {
      if (exitCode === undefined) {
        lab.kill('SIGKILL');
        await exited;
      }
    }
  }, 60_000);
});
