import { Command } from 'commander';
import { COMMON_FLAGS, addFlags, flagValues, type FlagPath } from './service-flags.js';

export const ALERTER_FLAGS: FlagPath[] = [
  {
    flag: '--rules <file>',
    path: 'rules',
    description: 'alert rules (YAML); default: the rules shipped with wirewatch',
  },
  { flag: '--dashboard-url <url>', path: 'dashboardUrl', description: 'Grafana link put in every notification' },
  {
    flag: '--influx-url <url>',
    path: 'influx.url',
    description: 'also write alert transitions to this InfluxDB (with --influx)',
  },
  { flag: '--influx', path: 'influx.enabled', description: 'write alert transitions to InfluxDB (measurement alerts)' },
];

export function alerterCommand(): Command {
  const command = new Command('alerter')
    .description(
      'Evaluate alert rules on the live summary stream; notify by webhook and e-mail; serve the rules/alerts/silences API',
    )
    .addHelpText(
      'after',
      '\nReceivers (webhooks, SMTP) are set in the config file (-c) under `receivers:`; secrets through their *File settings.\n' +
        'The API needs WIREWATCH_API_TOKEN (or _FILE): without it every route but /healthz, /readyz, /metrics and /openapi.json is refused.\n' +
        'Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or rules.',
    );
  addFlags(command, [...ALERTER_FLAGS, ...COMMON_FLAGS]);
  return command.action(async (options: Record<string, unknown>, self: Command) => {
    const { alerterConfigSchema, runAlerter } = await import('@wirewatch/alerter');
    const { loadServiceConfig } = await import('./load-config.js');
    const flags = [...ALERTER_FLAGS, ...COMMON_FLAGS];
    const config = loadServiceConfig(
      alerterConfigSchema,
      options.config as string | undefined,
      flagValues(self, flags),
      flags,
    );
    await runAlerter(config);
  });
}
