import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorText, sleep } from './wait.js';

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

export interface ReadyWait {
  /** Names the server in errors, e.g. "nats-server" or "nats (nats:2.10-alpine)". */
  label: string;
  isReady: () => boolean | Promise<boolean>;
  timeoutMs: number;
  intervalMs: number;
  /** Says how the server ended when it did ("exited (code 2)"), else null: then the wait stops at once. */
  ended?: () => string | null;
}

/**
 * Polls `isReady` (a probe that throws counts as "not yet") until it answers true. A server that
 * ends meanwhile, or is not ready in time (then it is killed), fails with its last log lines.
 */
export async function untilReady(server: ServerControl, wait: ReadyWait): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const ended = wait.ended?.();
    if (ended) throw new Error(`${wait.label} ${ended} before it was ready:\n${server.logTail()}`);
    try {
      if (await wait.isReady()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      await server.kill();
      const because = lastError === undefined ? '' : ` (last probe: ${errorText(lastError)})`;
      throw new Error(
        `${wait.label} was not ready after ${wait.timeoutMs} ms${because}; last log lines:\n${server.logTail()}`,
      );
    }
    await sleep(wait.intervalMs);
  }
}
