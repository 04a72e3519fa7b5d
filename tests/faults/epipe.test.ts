/**
 * A reader that closes the pipe early (`wirewatch analyze X --json - | head -1`): the CLI must end
 * quietly with exit 0, with no stack trace, whatever it was writing to stdout (issue 11).
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';

const PCAP = join(import.meta.dirname, '../../samples/lab.pcap');
let bundle: string;

beforeAll(async () => {
  bundle = await buildCli();
}, 60_000);

/** Runs the CLI with its stdout a pipe this side closes: at once, or after the first chunk it reads. */
function runClosingStdout(
  args: string[],
  when: 'at-once' | 'after-first-chunk',
): Promise<{ code: number | null; signal: string | null; stderr: string; read: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let read = 0;
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    if (when === 'at-once') child.stdout.destroy();
    else
      child.stdout.once('data', (chunk: Buffer) => {
        read += chunk.length;
        child.stdout.destroy();
      });
    child.on('error', reject).on('close', (code, signal) => resolve({ code, signal, stderr, read }));
  });
}

describe('stdout closed by the reader', () => {
  it('`analyze --json - | head -c 10` through a shell: 10 bytes of the report, exit 0, nothing on stderr', () => {
    const run = spawnSync(
      'bash',
      [
        '-c',
        '"$@" | head -c 10; exit "${PIPESTATUS[0]}"',
        'bash',
        process.execPath,
        bundle,
        'analyze',
        PCAP,
        '--json',
        '-',
      ],
      { encoding: 'utf8' },
    );
    expect(run.stdout).toBe('{\n  "versi');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('`analyze --json -` with the pipe closed after the first chunk read: exit 0, no stack trace', async () => {
    const run = await runClosingStdout(['analyze', PCAP, '--json', '-'], 'after-first-chunk');
    expect(run.read).toBeGreaterThan(0);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('the short summary (no output option) into a pipe closed before it is written: exit 0, no stack trace', async () => {
    const run = await runClosingStdout(['analyze', PCAP, '--no-progress'], 'at-once');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('another command writing to stdout (`config-reference`) into a closed pipe: exit 0, no stack trace', async () => {
    const run = await runClosingStdout(['config-reference'], 'at-once');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
