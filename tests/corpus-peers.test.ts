/**
 * The tshark fixtures against tshark itself: runs tshark over every corpus capture (about two minutes
 * on two cores) and requires the very censuses that tests/corpus/tshark-fixtures.json holds. Run by
 * `pnpm test:peers` (WIREWATCH_PEERS=1); skipped in `pnpm test`, whose accuracy test reads the fixtures
 * and fails once they are stale for the captures, the census code or the installed tshark.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFiles } from './corpus/corpus.js';
import { readFixtures, REGENERATE, takeFixtures } from './corpus/tshark-fixtures.js';

const files = corpusFiles();
const peers = process.env.WIREWATCH_PEERS === '1';

describe.skipIf(!peers || files.length === 0)('tshark fixtures against a fresh tshark run (pnpm test:peers)', () => {
  it('tshark says today what the fixtures say, capture by capture', { timeout: 900_000 }, async () => {
    const kept = readFixtures();
    const fresh = await takeFixtures(files);
    const differ = files
      .map((f) => basename(f))
      .filter((name) => JSON.stringify(fresh.captures[name]) !== JSON.stringify(kept.captures[name]))
      .map(
        (name) =>
          `${name}:\n    kept  ${JSON.stringify(kept.captures[name])}\n    fresh ${JSON.stringify(fresh.captures[name])}`,
      );
    console.log(`peers: ${files.length} captures through ${fresh.tshark}, ${differ.length} differ from the fixtures`);
    const hint = `the fixtures are not what tshark says: run \`${REGENERATE}\`, review the diff, commit it`;
    expect({ tshark: fresh.tshark, census_code: fresh.census_code }, hint).toEqual({
      tshark: kept.tshark,
      census_code: kept.census_code,
    });
    expect(differ, `${hint}\n${differ.slice(0, 10).join('\n')}`).toEqual([]);
    expect(Object.keys(kept.captures).sort()).toEqual(files.map((f) => basename(f)).sort());
  });
});
