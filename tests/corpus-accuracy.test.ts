/**
 * Accuracy against tshark (reassembly off) on tcpdump's test captures: packets, bytes, classes and
 * every outermost source address must be equal, file by file.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptureFile, CaptureFormatError } from '../packages/report/src/index.js';
import { ACCURACY_EXCLUSIONS } from './corpus/accuracy-exclusions.js';
import { compareWithTshark, type Mismatch } from './corpus/compare.js';
import { corpusFiles, mapLimit } from './corpus/corpus.js';
import { tsharkCensus, tsharkVersion, type Census } from './corpus/tshark-census.js';

const files = corpusFiles();

describe.skipIf(files.length === 0)('accuracy against tshark on the tcpdump corpus', () => {
  it('matches tshark on every capture tshark reads', { timeout: 900_000 }, async () => {
    const version = await tsharkVersion();
    const censuses = await mapLimit(files, 2, (f) => tsharkCensus(f, version));
    const failures: string[] = [];
    let compared = 0;
    let excludedSeen = 0;
    files.forEach((file, i) => {
      const census: Census = censuses[i];
      const name = basename(file);
      if (census.packets === 0 && census.status !== 0) return; // tshark cannot read it at all
      let mismatches: Mismatch[];
      try {
        const { report } = analyzeCaptureFile(file, { topN: 1_000_000, topFlows: 0 });
        mismatches = compareWithTshark(report, census);
      } catch (error) {
        if (!(error instanceof CaptureFormatError)) throw error;
        mismatches = [{ field: 'open', ours: error.message, tshark: `${census.packets} packets` }];
      }
      compared++;
      if (ACCURACY_EXCLUSIONS[name] !== undefined) {
        excludedSeen++;
        // An exclusion that no longer hides a difference has to go.
        if (mismatches.length === 0) failures.push(`${name} matches tshark now: remove it from ACCURACY_EXCLUSIONS`);
        return;
      }
      if (mismatches.length > 0) {
        const shown = mismatches.slice(0, 4).map((m) => `    ${m.field}: ours ${JSON.stringify(m.ours)} tshark ${JSON.stringify(m.tshark)}`);
        failures.push(`${name} (${mismatches.length} differences${census.complaint ? `; tshark: ${census.complaint}` : ''})\n${shown.join('\n')}`);
      }
    });
    console.log(`accuracy: ${compared} captures compared with ${version}, ${excludedSeen} excluded with reasons, ${failures.length} differ`);
    expect(failures, failures.join('\n')).toEqual([]);
    expect(compared).toBeGreaterThan(700);
    expect(excludedSeen).toBe(Object.keys(ACCURACY_EXCLUSIONS).length);
  });
});
