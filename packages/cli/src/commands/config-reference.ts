import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { CONFIG_DOC, REGENERATE } from '../config-doc-paths.js';
import { output } from '../output.js';

export function configReferenceCommand(): Command {
  return new Command('config-reference')
    .description('Print the configuration reference of every service (Markdown), generated from the config schemas')
    .option('--out <file>', `write it to this file instead of stdout (the repository keeps it in ${CONFIG_DOC})`)
    .option(
      '--check',
      `write nothing; exit 1 when the --out file (default ${CONFIG_DOC}) differs from what the schemas give`,
    )
    .action(async (options: { out?: string; check?: boolean }) => {
      // Loaded here: it needs every service's config schema, which no other command start should pay for.
      const { configurationDoc } = await import('../config-docs.js');
      const doc = configurationDoc();
      if (options.check) {
        const file = options.out ?? CONFIG_DOC;
        if (!existsSync(file) || readFileSync(file, 'utf8') !== doc) {
          process.stderr.write(`wirewatch: ${file} is out of date with the config schemas (run: ${REGENERATE})\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`${file} is up to date\n`);
        return;
      }
      if (options.out === undefined) {
        process.stdout.write(doc);
        return;
      }
      const out = options.out;
      await output(out, () => writeFile(out, doc));
      process.stdout.write(`wrote ${out}\n`);
    });
}
