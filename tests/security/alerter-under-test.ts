import { readFileSync } from 'node:fs';
import { DEFAULT_RULES_FILE, loadRuleFile } from '@wirewatch/rules';
import { createLogger, type ServiceServer } from '@wirewatch/service';
import { Alerter, alerterConfigSchema, createAlerterServer } from '@wirewatch/alerter';
import { startNats, waitFor, type NatsHandle } from '../harness/index.js';

export const TOKEN = 'bypass-token-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export interface AlerterUnderTest {
  alerter: Alerter;
  server: ServiceServer;
  /** Where the server listens (loopback, a free port). */
  base: { host: string; port: number };
  /** `METHOD url` of every request that got past authentication to a route (before its body is parsed). */
  authenticated: string[];
  /** What an attacker wants to change, read straight from the alerter (not through the API). */
  state(): { rulesYaml: string; rules: string[]; silences: unknown[] };
  close(): Promise<void>;
}

/**
 * The real alerter (default rules, the active replica on a real NATS server) with its real HTTP
 * server (createAlerterServer, as `wirewatch alerter` builds it), listening on the default host.
 */
export async function startAlerterUnderTest(): Promise<AlerterUnderTest> {
  const nats: NatsHandle = await startNats();
  const config = alerterConfigSchema.parse({
    nats: { servers: nats.url },
    api: { token: TOKEN },
    http: { port: 0 },
    logLevel: 'silent',
  });
  const log = createLogger({ name: 'alerter', level: 'silent' });
  const loaded = loadRuleFile(DEFAULT_RULES_FILE);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const alerter = new Alerter(
    config,
    loaded.ruleSet,
    readFileSync(DEFAULT_RULES_FILE, 'utf8'),
    new Map(),
    undefined,
    log,
  );
  void alerter.start();
  await waitFor(() => alerter.active, { what: 'the alerter holds the lease', timeoutMs: 20_000 });
  const server = await createAlerterServer(config, alerter, new Map(), log);
  const authenticated: string[] = [];
  server.app.addHook('preParsing', async (request: { is404: boolean; method: string; url: string }) => {
    if (!request.is404) authenticated.push(`${request.method} ${request.url}`);
  });
  const address = await server.listen();
  return {
    alerter,
    server,
    base: { host: address.host, port: address.port },
    authenticated,
    state: () => ({
      rulesYaml: alerter.rulesYaml,
      rules: alerter.ruleSet.rules.map((r) => r.name),
      silences: alerter.engine.silences(),
    }),
    async close() {
      await server.close();
      await alerter.stop(5_000);
      await nats.dispose();
    },
  };
}
