/**
 * Accuracy against tshark (reassembly off) on tcpdump's test captures: packets, bytes, classes and
 * every outermost source address must be equal, file by file. tshark's answers come from
 * tests/corpus/tshark-fixtures.json (written by `pnpm corpus:fixtures`, checked against a fresh tshark
 * run by `pnpm test:peers`); they count only while they are still the answers for these very files.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptureFile, CaptureFormatError } from '@wirewatch/report';
import { ACCURACY_EXCLUSIONS } from './corpus/accuracy-exclusions.js';
import { compareWithTshark, type Mismatch } from './corpus/compare.js';
import { corpusFiles } from './corpus/corpus.js';
import { tsharkVersion } from './corpus/tshark-census.js';
import { readFixtures, REGENERATE, staleness } from './corpus/tshark-fixtures.js';

const files = corpusFiles();
const fixtures = readFixtures();

describe.skipIf(files.length === 0)('accuracy against tshark on the tcpdump corpus', () => {
  it('has tshark fixtures for exactly these captures, made by the census code as it is now', () => {
    const stale = staleness(fixtures, files);
    expect(stale, `tshark fixtures are stale: run \`${REGENERATE}\`\n${stale.join('\n')}`).toEqual([]);
  });

  it('has fixtures made by the tshark installed here', async () => {
    // Another tshark may read some captures differently: its answers are not the fixtures' until regenerated.
    expect(await tsharkVersion(), `run \`${REGENERATE}\` and commit tests/corpus/tshark-fixtures.json`).toBe(
      fixtures.tshark,
    );
  });

  it('matches tshark on every capture tshark reads', { timeout: 120_000 }, () => {
    const failures: string[] = [];
    let compared = 0;
    let excludedSeen = 0;
    for (const file of files) {
      const name = basename(file);
      const census = fixtures.captures[name];
      if (!census) continue; // the staleness test names it
      if (census.packets === 0 && census.status !== 0) continue; // tshark cannot read it at all
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
        continue;
      }
      if (mismatches.length > 0) {
        const shown = mismatches
          .slice(0, 4)
          .map((m) => `    ${m.field}: ours ${JSON.stringify(m.ours)} tshark ${JSON.stringify(m.tshark)}`);
        failures.push(
          `${name} (${mismatches.length} differences${census.complaint ? `; tshark: ${census.complaint}` : ''})\n${shown.join('\n')}`,
        );
      }
    }
    console.log(
      `accuracy: ${compared} captures compared with ${fixtures.tshark} (fixtures), ${excludedSeen} excluded with reasons, ${failures.length} differ`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    expect(compared).toBeGreaterThan(700);
    expect(excludedSeen).toBe(Object.keys(ACCURACY_EXCLUSIONS).length);
  });
});
