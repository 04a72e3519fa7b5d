/**
 * Robustness: every file of tcpdump's corpus (many deliberately malformed) through the real CLI.
 * Each run ends on its own within its time budget with exit 0 and a consistent report, or exit 2
 * and one line on stderr; never a crash, a stack trace or a hang.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, corpusFiles, mapLimit, ROOT } from './corpus/corpus.js';
import { buildCli } from '../scripts/build-cli.mjs';

const PER_FILE_MS = 20_000;
let bundle: string;
let dir: string;

interface Outcome {
  file: string;
  code: number | null;
  signal: string | null;
  stderr: string;
  report: { packets: number; bytes: number; protocols: Record<string, { packets: number; bytes: number }>; capture: { truncated: boolean } } | null;
}

function analyze(file: string, out: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bundle, 'analyze', file, '--json', out], { cwd: ROOT, timeout: PER_FILE_MS, killSignal: 'SIGKILL' }, (error, _stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      const report = code === 0 && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null;
      resolve({ file: basename(file), code, signal: error?.signal ?? null, stderr, report });
    });
  });
}

/** What is wrong with an outcome, or null. */
function problem(o: Outcome): string | null {
  const lines = o.stderr.split('\n').filter((l) => l !== '');
  if (o.signal) return `killed by ${o.signal} (time budget ${PER_FILE_MS} ms)`;
  if (/^\s+at /m.test(o.stderr)) return `stack trace on stderr: ${lines[0]}`;
  if (o.code === 2) return lines.length === 1 && lines[0].startsWith('wirewatch: ') ? null : `exit 2 with stderr ${JSON.stringify(o.stderr)}`;
  if (o.code !== 0) return `exit ${o.code}: ${lines[0]}`;
  if (!o.report) return 'exit 0 without a report';
  if (lines.some((l) => !l.startsWith('wirewatch: warning: '))) return `unexpected stderr ${JSON.stringify(lines[0])}`;
  if (o.report.capture.truncated && lines.length === 0) return 'truncated without a warning';
  const classes = Object.values(o.report.protocols);
  const packets = classes.reduce((s, c) => s + c.packets, 0);
  const bytes = classes.reduce((s, c) => s + c.bytes, 0);
  if (packets !== o.report.packets || bytes !== o.report.bytes) return `classes sum to ${packets}/${bytes}, totals ${o.report.packets}/${o.report.bytes}`;
  return null;
}

beforeAll(async () => {
  bundle = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-robust-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = corpusFiles();

describe.skipIf(files.length === 0)('robustness over the tcpdump corpus', () => {
  it('analyzes all files with a report or a one-line error, and no crash or hang', { timeout: 900_000 }, async () => {
    const all = [...files, join(CORPUS, 'LICENSE')];
    const outcomes = await mapLimit(all, 2, (f) => analyze(f, join(dir, `${basename(f)}.json`)));
    const problems = outcomes.map((o) => [o.file, problem(o)]).filter(([, p]) => p !== null);
    const rejected = outcomes.filter((o) => o.code === 2).length;
    const truncated = outcomes.filter((o) => o.report?.capture.truncated).length;
    console.log(`robustness: ${all.length} files, ${all.length - rejected} reports (${truncated} cut short or corrupt), ${rejected} rejected with one line`);
    expect(problems.map(([f, p]) => `${f}: ${p}`)).toEqual([]);
    expect(outcomes.find((o) => o.file === 'LICENSE')?.code).toBe(2);
    expect(all.length).toBeGreaterThanOrEqual(830);
  });
});

describe('bad input', () => {
  const lab = join(ROOT, 'samples/lab.pcap');

  it('rejects a missing file, an empty file, a directory and a text file with one line and exit 2', async () => {
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a capture\n');
    const folder = join(dir, 'folder.pcap');
    mkdirSync(folder);
    for (const [file, message] of [
      [join(dir, 'missing.pcap'), 'no such file'],
      [empty, 'is empty'],
      [folder, 'is a directory'],
      [text, 'not a PCAP or PCAPNG file'],
    ]) {
      const o = await analyze(file, join(dir, 'bad.json'));
      expect(o.code, file).toBe(2);
      expect(o.stderr.trim().split('\n')).toHaveLength(1);
      expect(o.stderr).toContain(message);
    }
  });

  it('reports every complete record of a file cut inside its last record, with a warning and exit 0', async () => {
    const whole = readFileSync(lab);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const o = await analyze(cut, join(dir, 'cut.json'));
    expect(o.code).toBe(0);
    expect(o.stderr).toMatch(/^wirewatch: warning: cut\.pcap: file ends inside the record/);
    expect(o.report?.capture.truncated).toBe(true);
    expect(o.report?.packets).toBe(2762);
  });

  it('reads a copy of the sample through a path with spaces and unicode', async () => {
    const odd = join(dir, 'trace ü 1.pcap');
    copyFileSync(lab, odd);
    const o = await analyze(odd, join(dir, 'odd.json'));
    expect(o.code).toBe(0);
    expect(o.report?.packets).toBe(2763);
  });
});
