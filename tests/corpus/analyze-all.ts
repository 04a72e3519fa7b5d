/**
 * Runs analyze over many captures in one child process (analyze-child.ts) instead of a CLI process
 * per capture: the CLI's start-up, not the analysis, was nearly all of the time. A watchdog still
 * holds every file to its own time budget: a file with no result in time is a hang, its process is
 * killed and a new one goes on with the next file; a process that dies names the file it was on.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './corpus.js';

export interface Outcome {
  file: string;
  /** report: analyze gave a report; rejected: a bad-input error (the CLI's exit 2); threw: any other error (the CLI's exit 1); hung, died: no outcome. */
  result: 'report' | 'rejected' | 'threw' | 'hung' | 'died';
  message: string;
  warnings: string[];
  /** What the analysis wrote to stderr itself (the CLI prints only the warnings and errors above). */
  stderr: string;
  ms: number;
  report: {
    packets: number;
    bytes: number;
    protocols: Record<string, { packets: number; bytes: number }>;
    format: string;
    link_types: string[];
    truncated: boolean;
  } | null;
}

const CHILD = join(ROOT, 'tests/corpus/analyze-child.ts');
/** The child's own start (tsx compiling the sources), before its first file. */
const START_MS = 60_000;

export async function analyzeAll(files: string[], perFileMs: number): Promise<Outcome[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wirewatch-analyze-all-'));
  const list = join(dir, 'files.json');
  writeFileSync(list, JSON.stringify(files));
  const outcomes: Outcome[] = [];
  try {
    while (outcomes.length < files.length) outcomes.push(...(await runChild(list, files, outcomes.length, perFileMs)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return outcomes;
}

/** One child from file `first` on; returns the outcomes up to the end, or up to and including the file it hung or died on. */
function runChild(list: string, files: string[], first: number, perFileMs: number): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, list, String(first)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const outcomes: Outcome[] = [];
    let current = -1;
    let hung = false;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    let timer = setTimeout(() => kill(), START_MS);
    const kill = () => {
      hung = true;
      child.kill('SIGKILL');
    };
    const lost = (result: 'hung' | 'died', message: string): Outcome => ({
      file: basename(files[current]),
      result,
      message,
      warnings: [],
      stderr: '',
      ms: 0,
      report: null,
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      clearTimeout(timer);
      if (line.startsWith('S ')) {
        current = Number(line.slice(2));
        timer = setTimeout(kill, perFileMs);
      } else if (line.startsWith('R ')) {
        outcomes.push(JSON.parse(line.slice(2)) as Outcome);
        current = -1;
        timer = setTimeout(kill, perFileMs); // to the next file's start, or the end
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (current >= 0) {
        outcomes.push(
          hung
            ? lost('hung', `no result within ${perFileMs} ms`)
            : lost(
                'died',
                `analyzing it ended the process (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
              ),
        );
      } else if (first + outcomes.length < files.length) {
        // Stalled or died between files, or never started: nothing to blame on a capture.
        reject(
          new Error(
            `analyze-child ${hung ? 'stalled' : 'ended'} before file ${first + outcomes.length} (${signal ?? `exit ${code}`}): ${stderr.trim()}`,
          ),
        );
        return;
      }
      resolve(outcomes);
    });
  });
}
