import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { onShutdown } from './shutdown.js';
import { LogLines } from './test-support/log-lines.js';

/** onShutdown wired to a fake process: signals are emitted by hand, exit codes collected. */
function harness(handler: () => unknown, timeoutMs = 30_000) {
  const signals = new EventEmitter();
  const log = new LogLines();
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const codes: number[] = [];
  const dispose = onShutdown(handler, {
    logger: createLogger({ name: 'test', destination: log }),
    timeoutMs,
    signalSource: signals,
    exit: (code) => {
      codes.push(code);
      resolveExit(code);
    },
  });
  return { signals, log, exited, codes, dispose };
}

describe('onShutdown', () => {
  it('runs the handler once on SIGTERM and exits 0 when it is done', async () => {
    let calls = 0;
    const h = harness(async () => {
      calls++;
    });
    h.signals.emit('SIGTERM', 'SIGTERM');
    expect(await h.exited).toBe(0);
    expect(calls).toBe(1);
    expect(h.log.records().map((r) => r.msg)).toEqual(['shutting down', 'shutdown complete']);
    h.dispose();
  });

  it('exits 1 at once on a second signal while the handler runs', async () => {
    const h = harness(() => new Promise(() => undefined));
    h.signals.emit('SIGINT', 'SIGINT');
    h.signals.emit('SIGINT', 'SIGINT');
    expect(await h.exited).toBe(1);
    expect(h.codes).toEqual([1]);
    expect(h.log.records().at(-1)).toMatchObject({ level: 'error', msg: 'second signal during shutdown: exiting now' });
    h.dispose();
  });

  it('exits 1 when the handler does not finish in time', async () => {
    const h = harness(() => new Promise(() => undefined), 20);
    h.signals.emit('SIGTERM', 'SIGTERM');
    expect(await h.exited).toBe(1);
    expect(h.log.records().at(-1)).toMatchObject({
      level: 'error',
      msg: 'shutdown did not finish in time: exiting',
      timeoutMs: 20,
    });
    h.dispose();
  });

  it('exits 1 when the handler fails', async () => {
    const h = harness(() => {
      throw new Error('flush failed');
    });
    h.signals.emit('SIGTERM', 'SIGTERM');
    expect(await h.exited).toBe(1);
    expect(h.log.records().at(-1)).toMatchObject({
      level: 'error',
      msg: 'shutdown failed',
      err: { message: 'flush failed' },
    });
    h.dispose();
  });
});

describe('onShutdown in a real process', () => {
  const child = fileURLToPath(new URL('./test-support/shutdown-child.ts', import.meta.url));

  /**
   * Starts the child, sends the first signal once it logged "ready" and the second (if any) once it
   * logged "shutting down"; resolves with its exit code and log messages.
   */
  function run(
    mode: string,
    signals: NodeJS.Signals[],
  ): Promise<{ code: number | null; messages: string[]; stderr: string }> {
    return new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', child, mode], {
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const messages: string[] = [];
      let buffered = '';
      let stderr = '';
      proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      proc.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const msg = (JSON.parse(line) as { msg: string }).msg;
          messages.push(msg);
          if (msg === 'ready') proc.kill(signals[0]);
          if (msg === 'shutting down' && signals[1]) proc.kill(signals[1]);
        }
      });
      proc.on('error', reject);
      proc.on('exit', (code) => resolve({ code, messages, stderr }));
    });
  }

  it('drains and exits 0 on SIGTERM', async () => {
    const { code, messages, stderr } = await run('drain', ['SIGTERM']);
    expect(stderr).toBe('');
    expect({ code, messages }).toEqual({
      code: 0,
      messages: ['ready', 'shutting down', 'drained', 'shutdown complete'],
    });
  });

  it('exits 1 on a second signal', async () => {
    const { code, messages } = await run('hang', ['SIGTERM', 'SIGINT']);
    expect(code).toBe(1);
    expect(messages.at(-1)).toBe('second signal during shutdown: exiting now');
  });

  it('exits 1 when the handler hangs past the timeout', async () => {
    const { code, messages } = await run('hang-timeout', ['SIGTERM']);
    expect(code).toBe(1);
    expect(messages.at(-1)).toBe('shutdown did not finish in time: exiting');
  });
});
