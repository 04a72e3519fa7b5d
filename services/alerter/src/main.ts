import { createInfluxWriter, influxWriterOptions } from '@wirewatch/influx';
import { DEFAULT_RULES_FILE, loadRuleFile } from '@wirewatch/rules';
import { ConfigError, createLogger, onShutdown } from '@wirewatch/service';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Alerter } from './alerter.js';
import { createAlerterServer } from './alerter-server.js';
import type { AlerterConfig } from './config.js';
import { buildReceivers } from './receivers.js';

/** The rules file to load: the configured one, else the defaults shipped beside the package or the CLI bundle. */
export function rulesFile(configured: string | undefined): string {
  if (configured !== undefined) return configured;
  const beside = join(dirname(process.argv[1] ?? '.'), 'default-rules.yaml');
  return existsSync(DEFAULT_RULES_FILE) ? DEFAULT_RULES_FILE : beside;
}

/** The alerter process: rules + receivers + NATS → transitions, notifications, API, health and metrics. */
export async function runAlerter(config: AlerterConfig): Promise<void> {
  const log = createLogger({ name: 'alerter', level: config.logLevel });
  const file = rulesFile(config.rules);
  const loaded = loadRuleFile(file);
  if (!loaded.ok) throw new ConfigError(loaded.errors);
  const receivers = buildReceivers(config.receivers);
  const influx = config.influx.enabled
    ? createInfluxWriter({ ...influxWriterOptions(config.influx), precision: 'ns' })
    : undefined;
  const alerter = new Alerter(config, loaded.ruleSet, readFileSync(file, 'utf8'), receivers, influx, log);
  const server = await createAlerterServer(config, alerter, receivers, log);
  const address = await server.listen();
  log.info(
    { url: address.url, rules: file, api: config.api.token ? 'enabled' : 'disabled (no token)' },
    'health and metrics listening',
  );
  let stopping = false;
  onShutdown(
    async () => {
      stopping = true;
      await alerter.stop(10_000);
      await server.close();
    },
    { logger: log, timeoutMs: 20_000 },
  );
  await alerter.start().catch((error: Error) => {
    if (!stopping) throw error;
  });
}
