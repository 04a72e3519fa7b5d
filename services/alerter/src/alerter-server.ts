import type { NotificationReceiver } from '@wirewatch/notify';
import { createServiceServer, type Logger, type ServiceServer } from '@wirewatch/service';
import type { Alerter } from './alerter.js';
import { registerApi } from './api.js';
import type { AlerterConfig } from './config.js';
import { registerAlerterMetrics } from './metrics.js';

/**
 * The alerter's HTTP server: probes and metrics (public) and the API, which needs `api.token` on
 * every route (the service kit denies by default). Listens on `http.host`, loopback unless set.
 */
export async function createAlerterServer(
  config: AlerterConfig,
  alerter: Alerter,
  receivers: Map<string, NotificationReceiver>,
  log: Logger,
): Promise<ServiceServer> {
  const server = createServiceServer({
    name: 'alerter',
    host: config.http.host,
    port: config.http.port,
    logger: log,
    bearerToken: config.api.token,
    noTokenHint: 'the API is disabled: set WIREWATCH_API_TOKEN (or WIREWATCH_API_TOKEN_FILE)',
    readiness: () => {
      if (alerter.connectError) return { ready: false, reason: `not connected to NATS: ${alerter.connectError}` };
      if (!alerter.consuming) return { ready: false, reason: 'starting' };
      return { ready: true };
    },
    health: () => ({
      active: alerter.active,
      rules: alerter.engine.rules.length,
      alerts: alerter.engine.activeAlerts().length,
      counts: alerter.counts,
      warnings: alerter.warnings,
    }),
  });
  await registerApi(server.app, alerter);
  registerAlerterMetrics(server.registry, alerter, receivers);
  return server;
}
