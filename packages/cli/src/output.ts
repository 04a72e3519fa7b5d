import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from './fatal.js';

/**
 * A reader that stops reading (`wirewatch analyze X --json - | head -1`) closes the pipe: the next
 * write to stdout fails with EPIPE, which would otherwise surface as an unhandled 'error' event and
 * a stack trace. The reader has what it wanted, so the command ends there, quietly, with exit 0 (as
 * most tools appear to, which die of SIGPIPE; Node ignores that signal). Any other failure of
 * stdout or stderr becomes one line and exit 1.
 */
export function endQuietlyWhenOutputCloses(): void {
  for (const [stream, name] of [
    [process.stdout, 'standard output'],
    [process.stderr, 'standard error'],
  ] as const) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      if (stream !== process.stderr)
        process.stderr.write(`wirewatch: cannot write ${name}: ${error.code ?? error.message}\n`);
      process.exit(1);
    });
  }
}

/** Runs a write; a failure becomes one line naming the output, not a stack trace. */
export async function output(path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such directory'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'ENOSPC'
            ? 'no space left on device'
            : code === 'EEXIST' || code === 'ENOTDIR'
              ? 'not a directory'
              : (code ?? 'write failed');
    throw new UsageError(`cannot write ${path}: ${why}`);
  }
}

/**
 * mkdir -p. Node 20's own `{ recursive: true }` never returns where the parent exists but refuses
 * new entries with ENOENT (for instance under /proc), so the walk up is done here.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(dir)).isDirectory()) return;
      throw error;
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || existsSync(parent)) throw error;
    await makeDirectory(parent);
    await mkdir(dir);
  }
}
