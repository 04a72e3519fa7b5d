/**
 * The two test commands: `pnpm test` (vitest.config.ts) runs every test file in the repository, and
 * `pnpm test:unit` (vitest.unit.config.ts) a part of them, so splitting drops no file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVitest } from 'vitest/node';
import { ROOT } from './corpus/corpus.js';
import { UNIT_EXCLUDE, UNIT_INCLUDE } from '../vitest.unit.config.js';

async function testFiles(config: string): Promise<string[]> {
  const vitest = await createVitest('test', { config: join(ROOT, config), watch: false, reporters: [] });
  try {
    const specs = await vitest.globTestSpecifications();
    return [...new Set(specs.map((s) => relative(ROOT, s.moduleId)))].sort();
  } finally {
    await vitest.close();
  }
}

/** Every *.test.* / *.spec.* file in the repository, wherever it lies (outside dependencies and builds). */
function testFilesOnDisk(dir = ROOT): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.git'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFilesOnDisk(path));
    else if (/\.(test|spec)\.[cm]?[jt]s$/.test(entry.name)) out.push(relative(ROOT, path));
  }
  return out.sort();
}

describe('test commands', () => {
  it(
    'pnpm test runs every test file in the repository; pnpm test:unit runs a part of them',
    { timeout: 60_000 },
    async () => {
      const all = await testFiles('vitest.config.ts');
      const unit = await testFiles('vitest.unit.config.ts');
      expect(
        testFilesOnDisk().filter((f) => !all.includes(f)),
        'test files pnpm test would not run',
      ).toEqual([]);
      expect(unit.filter((f) => !all.includes(f))).toEqual([]);
      expect(unit.length).toBeGreaterThan(40);
      expect(all.length - unit.length).toBeGreaterThan(40);
    },
  );

  it('names only files that exist in the unit lists (a renamed file would leave them silently)', () => {
    const named = [...UNIT_INCLUDE, ...UNIT_EXCLUDE].filter((p) => !p.includes('*'));
    expect(named.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });
});
