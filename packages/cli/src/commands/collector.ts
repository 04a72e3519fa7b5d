import { Command } from 'commander';
import { COMMON_FLAGS, addFlags, flagValues, type FlagPath } from './service-flags.js';

export const COLLECTOR_FLAGS: FlagPath[] = [
  { flag: '--influx-url <url>', path: 'influx.url', description: 'InfluxDB base URL' },
  {
    flag: '--influx-api <api>',
    path: 'influx.api',
    description: 'v2 (InfluxDB 1.8+, 2.x, 3.x, Cloud), v1 (older 1.x) or auto (ask /ping)',
  },
  { flag: '--influx-org <org>', path: 'influx.org', description: 'v2 organization' },
  { flag: '--influx-bucket <bucket>', path: 'influx.bucket', description: 'v2 bucket' },
  { flag: '--influx-db <database>', path: 'influx.database', description: 'v1 database' },
  {
    flag: '--top <n>',
    path: 'topN',
    description: 'length of the rank-tagged top lists written per interval',
    parse: Number,
  },
  {
    flag: '--batch-size <n>',
    path: 'consumer.batchSize',
    description: 'messages fetched and written per InfluxDB request',
    parse: Number,
  },
  { flag: '--no-fleet', path: 'fleet.enabled', description: 'do not merge fleet-wide top lists on this replica' },
];

export function collectorCommand(): Command {
  const command = new Command('collector')
    .description(
      'Consume sensor summaries from NATS JetStream (shared durable consumer) and write InfluxDB time series',
    )
    .addHelpText(
      'after',
      '\nSecrets only from the environment or files: WIREWATCH_INFLUX_TOKEN(_FILE), WIREWATCH_INFLUX_PASSWORD(_FILE), WIREWATCH_NATS_PASSWORD(_FILE).\n' +
        'Run several replicas with the same consumer names to share the work. Exit codes: 0 ok, 1 runtime failure, 2 bad configuration.',
    );
  addFlags(command, [...COLLECTOR_FLAGS, ...COMMON_FLAGS]);
  return command.action(async (options: Record<string, unknown>, self: Command) => {
    const { collectorConfigSchema, runCollector } = await import('@wirewatch/collector');
    const { loadServiceConfig } = await import('./load-config.js');
    const config = loadServiceConfig(
      collectorConfigSchema,
      options.config as string | undefined,
      flagValues(self, [...COLLECTOR_FLAGS, ...COMMON_FLAGS]),
      [...COLLECTOR_FLAGS, ...COMMON_FLAGS],
    );
    await runCollector(config);
  });
}
