/**
 * The import rule in eslint.config.js that keeps packages apart: code outside a package imports it as
 * `@wirewatch/<name>`, never by a relative path into its src/. Runs the rule's configured options (as
 * ESLint resolves them for each file) on fixture imports, without type information, so it is fast.
 */
import { ESLint, Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();
const linter = new Linter();

/** The restricted-import messages ESLint's configuration gives for `import ... from 'source'` in `file`. */
async function violations(file: string, source: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(file)) as Linter.Config;
  const rule = config.rules?.['no-restricted-imports'];
  expect(rule, `no-restricted-imports configured for ${file}`).toBeDefined();
  const code = `import { thing } from '${source}';\nexport { thing };\n`;
  const messages = linter.verify(
    code,
    { files: ['**/*.ts'], languageOptions: { sourceType: 'module' }, rules: { 'no-restricted-imports': rule } },
    file,
  );
  return messages.map((m) => m.message);
}

describe('package boundaries (eslint no-restricted-imports)', () => {
  it.each([
    ['tests/cli.test.ts', '../packages/traffic/src/index.js'],
    ['tests/faults/sensor-kill.test.ts', '../../packages/spool/src/record.js'],
    ['tests/security/sketch-limits.test.ts', '../../services/sensor/src/config.js'],
    ['tests/bench/live/peer.ts', '../../../packages/capture/src/cap-binding.js'],
    ['tests/grafana/panel-queries.test.ts', '../../grafana/src/index.js'],
    ['services/collector/src/fleet-sketch-config.test.ts', '../../sensor/src/config.js'],
    ['packages/protocol/src/hostile-messages.test.ts', '../../traffic/src/testing/hosts.js'],
    ['vitest.config.ts', './packages/lab/src/ports.js'],
  ])('%s may not import %s', async (file, source) => {
    const messages = await violations(file, source);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("'@wirewatch/<name>'");
  });

  it.each([
    ['tests/cli.test.ts', '@wirewatch/traffic'],
    ['tests/faults/sensor-kill.test.ts', '@wirewatch/spool/testing'],
    ['tests/cli.test.ts', './harness/index.js'],
    ['tests/faults/sensor-kill.test.ts', '../corpus/corpus.js'],
    ['packages/traffic/src/table/key-table.ts', '../sketch/index.js'],
    ['packages/traffic/src/sketch/hll.ts', '../../src/summary.js'],
    ['services/collector/src/fleet-sketch-config.test.ts', './config.js'],
  ])('%s may import %s', async (file, source) => {
    expect(await violations(file, source)).toEqual([]);
  });
});
