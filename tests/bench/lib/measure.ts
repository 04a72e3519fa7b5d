/**
 * Runs one command and measures its wall time and peak resident memory.
 *
 * Peak RSS comes from the kernel's own high-water mark, `VmHWM` in /proc/PID/status, which the
 * harness samples every POLL_MS while the child runs. VmHWM only ever grows, so a sample is never
 * too high and the only thing missed is growth in the last few milliseconds before exit. That
 * needs no extra package (GNU `time` would give the exact wait4() figure but is not installed
 * everywhere) and works for any program, Node or not. Linux only.
 *
 * The figure is that of the process we spawn. Its descendants (e.g. the esbuild service that
 * `node --import tsx` starts) are sampled too and reported separately, not added in.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const POLL_MS = 10;
const STDERR_KEEP = 4000;

export interface Measurement {
  seconds: number;
  /** VmHWM of the spawned process in KiB; 0 if it exited before the first sample. */
  peakRssKiB: number;
  /** Descendant processes seen while running: name -> largest VmHWM in KiB. */
  descendants: Map<string, number>;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

/** Name and VmHWM (KiB) of a process, or null if it is gone or a zombie (which has no Vm* lines). */
function readStatus(pid: number): { name: string; hwmKiB: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(text);
  if (!hwm) return null;
  return { name: /^Name:\s+(.*)$/m.exec(text)?.[1] ?? '?', hwmKiB: Number(hwm[1]) };
}

/** All descendants of pid, via /proc/PID/task/TID/children. */
function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      let list = '';
      try {
        list = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of list.split(' ')) {
        if (c.trim()) {
          found.push(Number(c));
          queue.push(Number(c));
        }
      }
    }
  }
  return found;
}

export function measure(command: string, args: string[], cwd: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let seconds = 0;
    let peakRssKiB = 0;
    const descendants = new Map<string, number>();
    let stderrTail = '';

    const sample = (): void => {
      if (child.pid === undefined) return;
      const own = readStatus(child.pid);
      if (own) peakRssKiB = Math.max(peakRssKiB, own.hwmKiB);
      for (const pid of descendantsOf(child.pid)) {
        const st = readStatus(pid);
        if (st) descendants.set(st.name, Math.max(descendants.get(st.name) ?? 0, st.hwmKiB));
      }
    };
    const timer = setInterval(sample, POLL_MS);

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_KEEP);
    });
    child.on('error', (err) => {
      clearInterval(timer);
      reject(new Error(`cannot run ${command}: ${err.message}`));
    });
    child.on('exit', () => {
      seconds = (performance.now() - start) / 1000;
      clearInterval(timer);
    });
    child.on('close', (exitCode, signal) => {
      resolve({ seconds, peakRssKiB, descendants, exitCode, signal, stderrTail });
    });
  });
}
