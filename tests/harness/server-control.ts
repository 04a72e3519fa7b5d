import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Lifecycle shared by every server the harness runs, whether a local process or a container. */
export interface ServerControl {
  /** Temporary directory holding the server's data, configuration and `server.log`. */
  readonly dir: string;
  /** Starts the server again on the same ports with the same data (after stop() or kill()). */
  start(): Promise<void>;
  /** SIGTERM, then waits for the server to exit. */
  stop(): Promise<void>;
  /** SIGKILL, then waits for the server to exit. */
  kill(): Promise<void>;
  /** Stops the server if it runs and deletes its temporary directory. */
  dispose(): Promise<void>;
  /** The last lines of the server's output. */
  logTail(lines?: number): string;
}

export function makeServerDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `wirewatch-${name}-`));
}

export function logPathOf(dir: string): string {
  return join(dir, 'server.log');
}

export function readLogTail(dir: string, lines = 20): string {
  const path = logPathOf(dir);
  if (!existsSync(path)) return '(no output)';
  const text = readFileSync(path, 'utf8').trimEnd();
  return text ? text.split('\n').slice(-lines).join('\n') : '(no output)';
}

export function removeServerDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** The lifecycle methods of `control`, bound, to spread into a server handle. */
export function lifecycleOf(control: ServerControl): ServerControl {
  return {
    dir: control.dir,
    start: () => control.start(),
    stop: () => control.stop(),
    kill: () => control.kill(),
    dispose: () => control.dispose(),
    logTail: (lines?: number) => control.logTail(lines),
  };
}

/** First start of a new server: if it fails, nothing is left behind (its error quotes the log). */
export async function startOrDispose(control: ServerControl): Promise<void> {
  try {
    await control.start();
  } catch (error) {
    await control.dispose().catch(() => {});
    throw error;
  }
}
