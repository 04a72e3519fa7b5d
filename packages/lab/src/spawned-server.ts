import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { logPathOf, readLogTail, removeServerDir, untilReady, type ServerControl } from './server-control.js';
import { settlesWithin } from './wait.js';

export interface SpawnSpec {
  /** Name used in errors, e.g. "nats-server". */
  name: string;
  command: string;
  args: string[];
  /** The server's temporary directory; its output goes to `server.log` there. */
  dir: string;
  /** True (or resolves true) once the server serves requests. Errors count as "not yet". */
  isReady: () => boolean | Promise<boolean>;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Variables added to this process's environment. */
  env?: Record<string, string>;
  /**
   * Runs the server in a process group of its own, so that a Ctrl-C on the terminal reaches only
   * this process, which then stops its servers in order (the watchdog still covers its death).
   */
  ownProcessGroup?: boolean;
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

/** Ends a watchdog with its `sleep` (its own process group, being detached). */
function stopWatchdog(watchdog: ChildProcess | undefined): void {
  if (watchdog?.pid === undefined) return;
  try {
    process.kill(-watchdog.pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** A server binary run as a child process, restartable with the same arguments (ports, data dir). */
export class SpawnedServer implements ServerControl {
  private child: ChildProcess | undefined;
  private whenExited: Promise<string> = Promise.resolve('not started');
  private disposed = false;

  constructor(private readonly spec: SpawnSpec) {}

  get dir(): string {
    return this.spec.dir;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves when the current (or last) run ends, saying how: "code 1", "signal SIGKILL". */
  get exited(): Promise<string> {
    return this.whenExited;
  }

  async start(): Promise<void> {
    if (this.disposed) throw new Error(`${this.spec.name} was disposed`);
    if (this.child) throw new Error(`${this.spec.name} is already running`);
    const { name, command, args, env, ownProcessGroup = false } = this.spec;
    const log = openSync(logPathOf(this.dir), 'a');
    const child = spawn(command, args, {
      stdio: ['ignore', log, log],
      env: env && { ...process.env, ...env },
      detached: ownProcessGroup,
    });
    closeSync(log);
    this.child = child;
    running.add(child);
    let exited = false;
    // Assigned once the child has spawned, but the exit handler below may run first (spawn failed).
    let watchdog: ChildProcess | undefined = undefined;
    this.whenExited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(error.message));
      child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
    }).then((how) => {
      exited = true;
      running.delete(child);
      stopWatchdog(watchdog);
      if (this.child === child) this.child = undefined;
      return how;
    });
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', resolve);
    });
    if (spawnError) throw new Error(`cannot run ${command}: ${spawnError.message} (install it: bash scripts/setup.sh)`);
    watchdog = startWatchdog(process.pid, child.pid!);

    await untilReady(this, {
      label: name,
      isReady: this.spec.isReady,
      timeoutMs: this.spec.readyTimeoutMs ?? 20_000,
      intervalMs: 50,
      ended: () => (exited ? `exited (code ${child.exitCode ?? child.signalCode})` : null),
    });
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
