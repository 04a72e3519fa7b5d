import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { logPathOf, readLogTail, removeServerDir, type ServerControl } from './server-control.js';
import { errorText, settlesWithin, sleep } from './wait.js';

export interface SpawnSpec {
  /** Name used in errors, e.g. "nats-server". */
  name: string;
  command: string;
  args: string[];
  /** The server's temporary directory; its output goes to `server.log` there. */
  dir: string;
  /** Resolves true once the server serves requests. Errors count as "not yet". */
  isReady: () => Promise<boolean>;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Kills `serverPid` once `parentPid` is gone: covers a test process that dies without running its
 * 'exit' handlers (SIGKILL, or a signal the worker pool sends), which would leave servers on ports.
 */
function startWatchdog(parentPid: number, serverPid: number): ChildProcess {
  const script = 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -KILL "$2" 2>/dev/null';
  const watchdog = spawn('sh', ['-c', script, 'watchdog', String(parentPid), String(serverPid)], {
    stdio: 'ignore',
    detached: true,
  });
  watchdog.unref();
  return watchdog;
}

/** A server binary run as a child process, restartable with the same arguments (ports, data dir). */
export class SpawnedServer implements ServerControl {
  private child: ChildProcess | undefined;
  private whenExited: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(private readonly spec: SpawnSpec) {}

  get dir(): string {
    return this.spec.dir;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.disposed) throw new Error(`${this.spec.name} was disposed`);
    if (this.child) throw new Error(`${this.spec.name} is already running`);
    const { name, command, args } = this.spec;
    const log = openSync(logPathOf(this.dir), 'a');
    const child = spawn(command, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    this.child = child;
    running.add(child);
    let exited = false;
    let watchdog: ChildProcess | undefined;
    this.whenExited = new Promise<void>((resolve) => {
      child.once('error', () => resolve());
      child.once('exit', () => resolve());
    }).then(() => {
      exited = true;
      running.delete(child);
      watchdog?.kill('SIGKILL');
      if (this.child === child) this.child = undefined;
    });
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', resolve);
    });
    if (spawnError) throw new Error(`cannot run ${command}: ${spawnError.message} (install it: bash scripts/setup.sh)`);
    watchdog = startWatchdog(process.pid, child.pid!);

    const timeoutMs = this.spec.readyTimeoutMs ?? 20_000;
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      if (exited) {
        throw new Error(`${name} exited (code ${child.exitCode ?? child.signalCode}) before it was ready:\n${this.logTail()}`);
      }
      try {
        if (await this.spec.isReady()) return;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) {
        await this.kill();
        const because = lastError === undefined ? '' : ` (last probe: ${errorText(lastError)})`;
        throw new Error(`${name} was not ready after ${timeoutMs} ms${because}; last log lines:\n${this.logTail()}`);
      }
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    if (!(await settlesWithin(this.whenExited, this.spec.stopTimeoutMs ?? 15_000))) {
      child.kill('SIGKILL');
      await this.whenExited;
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.whenExited;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.stop();
    this.disposed = true;
    removeServerDir(this.dir);
  }

  logTail(lines?: number): string {
    return readLogTail(this.dir, lines);
  }
}
