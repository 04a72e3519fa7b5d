import { Command } from 'commander';
import { UsageError } from '../fatal.js';

export function dashboardsCommand(): Command {
  return new Command('dashboards')
    .description('Write the Grafana dashboards (generated from code in grafana/src) as JSON for provisioning')
    .option('--out <dir>', 'directory to write the JSON files into', 'grafana/dashboards')
    .option('--check', 'write nothing; exit 1 when the files in --out differ from what the code generates')
    .addHelpText(
      'after',
      '\nGrafana provisions the files from grafana/provisioning/dashboards (see docs/dashboards.md).',
    )
    .action(async (options: { out: string; check?: boolean }) => {
      // Loaded on demand: the dashboards SDK is not needed by the other commands.
      const { staleDashboards, writeDashboards } = await import('@wirewatch/grafana');
      if (options.check) {
        const stale = staleDashboards(options.out);
        if (stale.length > 0)
          throw new UsageError(
            `dashboards out of date in ${options.out}: ${stale.join(', ')} (run: pnpm wirewatch dashboards)`,
          );
        process.stdout.write(`dashboards in ${options.out} are up to date\n`);
        return;
      }
      for (const file of writeDashboards(options.out)) process.stdout.write(`wrote ${file}\n`);
    });
}
