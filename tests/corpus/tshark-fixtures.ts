/**
 * tshark's census of every corpus capture, kept in tshark-fixtures.json so that `pnpm test` compares
 * with tshark's answers without running tshark 830 times. The file is written only by
 * `pnpm corpus:fixtures` (write-tshark-fixtures.ts) and checked against a fresh tshark run by
 * `pnpm test:peers`. Each entry is keyed by the capture's SHA-256, and the whole file by tshark's
 * version and the SHA-256 of tshark-census.ts (the options tshark runs with and the reading of its
 * output): a change to any of them makes the fixtures stale, and the accuracy test says so.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { mapLimit, ROOT } from './corpus.js';
import { tsharkCensus, tsharkVersion, type Census } from './tshark-census.js';

export const FIXTURES = join(ROOT, 'tests/corpus/tshark-fixtures.json');
export const REGENERATE = 'pnpm corpus:fixtures';
const CENSUS_CODE = join(ROOT, 'tests/corpus/tshark-census.ts');

export interface CaptureFixture extends Census {
  sha256: string;
}

export interface Fixtures {
  /** First line of `tshark --version`. */
  tshark: string;
  /** SHA-256 of tshark-census.ts when the censuses were taken. */
  census_code: string;
  /** Capture file name → its hash and tshark's census of it. */
  captures: Record<string, CaptureFixture>;
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function censusCodeHash(): string {
  return sha256(CENSUS_CODE);
}

export function readFixtures(): Fixtures {
  return JSON.parse(readFileSync(FIXTURES, 'utf8')) as Fixtures;
}

/**
 * Why the fixtures no longer stand for tshark's answers on these files, one line per reason (empty
 * when they do): a capture added, removed or changed, or the census code changed since they were made.
 */
export function staleness(fixtures: Fixtures, files: string[]): string[] {
  const out: string[] = [];
  if (fixtures.census_code !== censusCodeHash())
    out.push('tests/corpus/tshark-census.ts changed since the fixtures were made');
  const names = new Set(files.map((f) => basename(f)));
  for (const file of files) {
    const name = basename(file);
    const fixture = fixtures.captures[name];
    if (!fixture) out.push(`${name}: in the corpus, not in the fixtures`);
    else if (fixture.sha256 !== sha256(file))
      out.push(`${name}: the capture changed since its fixture was made (SHA-256 differs)`);
  }
  for (const name of Object.keys(fixtures.captures))
    if (!names.has(name)) out.push(`${name}: in the fixtures, no longer in the corpus`);
  return out;
}

/** Runs tshark over every file (two at a time, one per core) and returns fresh fixtures. */
export async function takeFixtures(files: string[]): Promise<Fixtures> {
  const tshark = await tsharkVersion();
  const censuses = await mapLimit(files, 2, (f) => tsharkCensus(f));
  const captures: Record<string, CaptureFixture> = {};
  files.forEach((file, i) => (captures[basename(file)] = { sha256: sha256(file), ...censuses[i] }));
  return { tshark, census_code: censusCodeHash(), captures };
}

/** One capture per line, in name order, so that a regeneration's diff shows which captures changed. */
export function writeFixtures(fixtures: Fixtures): void {
  const names = Object.keys(fixtures.captures).sort();
  const lines = names.map(
    (name, i) =>
      `    ${JSON.stringify(name)}: ${JSON.stringify(fixtures.captures[name])}${i < names.length - 1 ? ',' : ''}`,
  );
  const head = `{\n  "tshark": ${JSON.stringify(fixtures.tshark)},\n  "census_code": ${JSON.stringify(fixtures.census_code)},\n  "captures": {\n`;
  writeFileSync(FIXTURES, `${head}${lines.join('\n')}\n  }\n}\n`);
}
