import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configEnvNames, configReference, loadConfig } from '@wirewatch/service';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOC, REGENERATE, SERVICE_CONFIG_DOCS, configurationDoc } from './config-docs.js';

const committedPath = new URL(`../../../${CONFIG_DOC}`, import.meta.url);

describe('docs/configuration.md', () => {
  it('is what the config schemas generate', () => {
    const committed = readFileSync(committedPath, 'utf8');
    expect(
      committed === configurationDoc(),
      `${CONFIG_DOC} is out of date with the config schemas: run \`${REGENERATE}\` and commit it`,
    ).toBe(true);
  });

  it('does not depend on the machine it was generated on', () => {
    const doc = configurationDoc();
    expect(doc).toContain('*the host name (its first label)*');
    expect(configurationDoc()).toBe(doc);
  });

  for (const service of SERVICE_CONFIG_DOCS) {
    describe(service.command, () => {
      const entries = configReference(service.schema, service.options);

      it('lists every setting the service reads from the environment, and every flag', () => {
        const listed = new Set(entries.flatMap((e) => (e.env ? [e.env] : [])));
        for (const { env } of configEnvNames(service.schema)) expect(listed, env).toContain(env);
        const flagged = new Set(entries.flatMap((e) => (e.flag ? [e.path] : [])));
        for (const flag of service.options.flags ?? [])
          expect(flagged, `${flag.flag} → ${flag.path}`).toContain(flag.path);
      });

      it('describes every setting, and gives no secret a flag', () => {
        for (const entry of entries) {
          expect(entry.description, `${entry.path} has no .describe() text`).toBeTruthy();
          if (entry.secret) expect(entry.flag, `${entry.path} is a secret`).toBeUndefined();
        }
      });

      it('shows an example config file the schema accepts', () => {
        const dir = mkdtempSync(join(tmpdir(), 'wirewatch-config-docs-'));
        try {
          const file = join(dir, `${service.command}.yaml`);
          writeFileSync(file, service.example);
          expect(() => loadConfig(service.schema, { file, env: {} })).not.toThrow();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }
});
