/**
 * Robustness: every file of tcpdump's corpus (many deliberately malformed) through analyze. All files
 * go through analyze's library call in one process (tests/corpus/analyze-all.ts), each held to its own
 * time budget: a report that adds up, or a bad-input error (the CLI's exit 2 with one line); never
 * another error (the CLI's exit 1), a crash or a hang. Then the real CLI runs one file of each kind of
 * outcome found (each capture format and link type, each warning, cut short, each kind of rejection)
 * and must say exactly what the library did: exit code, stderr line for line, the same report.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAll, type Outcome as LibraryOutcome } from './corpus/analyze-all.js';
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
  report: {
    packets: number;
    bytes: number;
    protocols: Record<string, { packets: number; bytes: number }>;
    capture: { format: string; link_types: string[]; truncated: boolean };
  } | null;
}

function analyze(file: string, out: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bundle, 'analyze', file, '--json', out],
      { cwd: ROOT, timeout: PER_FILE_MS, killSignal: 'SIGKILL' },
      (error, _stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        const report = code === 0 && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null;
        resolve({ file: basename(file), code, signal: error?.signal ?? null, stderr, report });
      },
    );
  });
}

/** What is wrong with a library outcome, or null. */
function problem(o: LibraryOutcome): string | null {
  if (o.result === 'hung') return `hang: ${o.message}`;
  if (o.result === 'died') return o.message;
  if (o.result === 'threw') return `would exit 1: ${o.message.split('\n')[0]}`;
  if (o.ms > PER_FILE_MS) return `took ${Math.round(o.ms)} ms, over the ${PER_FILE_MS} ms budget`;
  if (o.stderr !== '') return `wrote to stderr: ${JSON.stringify(o.stderr.slice(0, 200))}`;
  if (o.result === 'rejected') return o.message.split('\n')[0].trim() === '' ? 'rejected with an empty message' : null;
  const report = o.report!;
  if (o.warnings.some((w) => w.includes('\n'))) return 'a warning of more than one line';
  if (report.truncated && o.warnings.length === 0) return 'truncated without a warning';
  const classes = Object.values(report.protocols);
  const packets = classes.reduce((s, c) => s + c.packets, 0);
  const bytes = classes.reduce((s, c) => s + c.bytes, 0);
  if (packets !== report.packets || bytes !== report.bytes)
    return `classes sum to ${packets}/${bytes}, totals ${report.packets}/${report.bytes}`;
  return null;
}

/** The kind of outcome, without what is particular to the file: the CLI runs one file of each. */
function kind(o: LibraryOutcome): string {
  const general = (text: string) =>
    text
      .split(o.file)
      .join('<file>')
      .replace(/0x[0-9a-f]+/gi, '0x…')
      .replace(/\d+/g, 'N');
  if (o.result !== 'report') return `${o.result}: ${general(o.message)}`;
  const { format, link_types, truncated } = o.report!;
  return `report ${format} ${link_types.join('+')}${truncated ? ' (cut short)' : ''}${o.warnings.map((w) => `; ${general(w)}`).join('')}`;
}

const pick = ({ format, link_types, truncated }: { format: string; link_types: string[]; truncated: boolean }) => ({
  format,
  link_types,
  truncated,
});

/** What `wirewatch analyze` must print on stderr for this outcome (reportFatal and the warning lines). */
function expectedStderr(o: LibraryOutcome): string[] {
  return o.result === 'rejected'
    ? [`wirewatch: ${o.message.split('\n')[0]}`]
    : o.warnings.map((w) => `wirewatch: warning: ${w}`);
}

beforeAll(async () => {
  bundle = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-robust-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = corpusFiles();

describe.skipIf(files.length === 0)('robustness over the tcpdump corpus', () => {
  let outcomes: LibraryOutcome[] = [];

  it(
    'analyzes all files with a report or a bad-input error, and no other error, crash or hang',
    { timeout: 900_000 },
    async () => {
      const all = [...files, join(CORPUS, 'LICENSE')];
      outcomes = await analyzeAll(all, PER_FILE_MS);
      const problems = outcomes.map((o) => [o.file, problem(o)]).filter(([, p]) => p !== null);
      const rejected = outcomes.filter((o) => o.result === 'rejected').length;
      const truncated = outcomes.filter((o) => o.report?.truncated).length;
      const slowest = outcomes.reduce((a, b) => (b.ms > a.ms ? b : a));
      console.log(
        `robustness: ${all.length} files, ${all.length - rejected} reports (${truncated} cut short or corrupt), ${rejected} rejected with one line; ` +
          `slowest ${slowest.file} ${Math.round(slowest.ms)} ms`,
      );
      expect(problems.map(([f, p]) => `${f}: ${p}`)).toEqual([]);
      expect(outcomes.map((o) => o.file)).toEqual(all.map((f) => basename(f)));
      expect(outcomes.find((o) => o.file === 'LICENSE')?.result).toBe('rejected');
      expect(all.length).toBeGreaterThanOrEqual(830);
    },
  );

  it(
    'the CLI says the same as the library for one file of each kind of outcome: exit code, stderr, report',
    { timeout: 300_000 },
    async () => {
      expect(outcomes.length).toBeGreaterThanOrEqual(830);
      const firstOfKind = new Map<string, LibraryOutcome>();
      for (const o of outcomes) if (!firstOfKind.has(kind(o))) firstOfKind.set(kind(o), o);
      const picked = [...firstOfKind.values()];
      const runs = await mapLimit(picked, 2, (o) => analyze(join(CORPUS, o.file), join(dir, `${o.file}.json`)));
      console.log(
        `robustness: the CLI ran ${picked.length} files, one of each kind: ${[...firstOfKind.keys()].join(' | ')}`,
      );
      const differ: string[] = [];
      picked.forEach((o, i) => {
        const cli = runs[i];
        const lines = cli.stderr.split('\n').filter((l) => l !== '');
        const want = {
          code: o.result === 'rejected' ? 2 : 0,
          signal: null,
          stderr: expectedStderr(o),
          report: o.report,
        };
        const got = {
          code: cli.code,
          signal: cli.signal,
          stderr: lines,
          report: cli.report && {
            packets: cli.report.packets,
            bytes: cli.report.bytes,
            protocols: cli.report.protocols,
            ...pick(cli.report.capture),
          },
        };
        if (JSON.stringify(got) !== JSON.stringify(want))
          differ.push(`${o.file}:\n    library ${JSON.stringify(want)}\n    CLI     ${JSON.stringify(got)}`);
      });
      expect(differ, differ.join('\n')).toEqual([]);
      expect(picked.some((o) => o.file === 'LICENSE')).toBe(true);
      expect(picked.length).toBeGreaterThan(20);
    },
  );
});

describe('analyze over many files in one process', () => {
  it(
    'calls a file with no result in time a hang, kills the process and goes on with the next file',
    { timeout: 60_000 },
    async () => {
      // Opening a FIFO that nobody writes blocks for ever: a real hang inside the analysis.
      const fifo = join(dir, 'never-written.pcap');
      await promisify(execFile)('mkfifo', [fifo]);
      const outcomes = await analyzeAll([fifo, join(ROOT, 'samples/lab.pcap')], 2_000);
      expect(outcomes.map((o) => [o.file, o.result, o.report?.packets])).toEqual([
        ['never-written.pcap', 'hung', undefined],
        ['lab.pcap', 'report', 2763],
      ]);
    },
  );
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
