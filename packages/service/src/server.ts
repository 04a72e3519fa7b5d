import Fastify, {
  LogController,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { denyByDefault, PUBLIC_ROUTE } from './route-auth.js';

export interface Readiness {
  ready: boolean;
  /** Why not ready, shown in the 503 body (e.g. "NATS unreachable"). */
  reason?: string;
}

export interface ServiceServerOptions {
  /** The service's name (sensor, collector, alerter). */
  name: string;
  /** Default '127.0.0.1'; each service passes its `http.host` setting. */
  host?: string;
  /** 0 picks a free port (see `listen()` for the one bound). */
  port: number;
  logger: Logger;
  /** Answers `/readyz`. Default: always ready. */
  readiness?: () => Readiness | Promise<Readiness>;
  /** Extra fields for the `/healthz` body. */
  health?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * The bearer token of every route not marked public (`config: PUBLIC_ROUTE`); unset, those routes
   * answer 401. `/healthz`, `/readyz` and `/metrics` are public.
   */
  bearerToken?: string;
  /** Said in that 401 when no token is configured, e.g. which setting enables the API. */
  noTokenHint?: string;
}

export interface BoundAddress {
  host: string;
  port: number;
  /** e.g. `http://127.0.0.1:9464` */
  url: string;
}

/** A fastify instance whose logger is the service's pino logger. */
export type ServiceApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger
>;

export interface ServiceServer {
  app: ServiceApp;
  /** The service's metrics registry (Node default metrics prefixed `wirewatch_` already on it): register counters here. */
  registry: Registry;
  listen(): Promise<BoundAddress>;
  close(): Promise<void>;
}

export const METRICS_PREFIX = 'wirewatch_';

/**
 * The HTTP side every service shares: `GET /healthz` (liveness: 200 and a JSON health object while the
 * process runs), `GET /readyz` (200 when ready, 503 with the reason otherwise) and `GET /metrics`
 * (Prometheus text from the service's own registry). Requests are logged at debug level, so scrapes
 * and probes do not flood the logs; failures still log at error.
 *
 * Deny by default: those three are the only public routes; any route a service adds needs the bearer
 * token unless it is registered with `config: PUBLIC_ROUTE` (see route-auth.ts).
 */
export function createServiceServer(options: ServiceServerOptions): ServiceServer {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });

  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: reply.elapsedTime },
      'request completed',
    );
  });
  app.addHook('onRequest', denyByDefault({ token: options.bearerToken, noTokenHint: options.noTokenHint }));

  app.get('/healthz', { config: PUBLIC_ROUTE }, async (_request, reply) => {
    try {
      const extra = options.health ? await options.health() : {};
      return { status: 'ok', service: options.name, uptimeSeconds: Math.round(process.uptime()), ...extra };
    } catch (error) {
      options.logger.error({ err: error }, 'health check failed');
      return reply.code(500).send({ status: 'error', service: options.name, error: messageOf(error) });
    }
  });

  app.get('/readyz', { config: PUBLIC_ROUTE }, async (_request, reply) => {
    let readiness: Readiness;
    try {
      readiness = options.readiness ? await options.readiness() : { ready: true };
    } catch (error) {
      readiness = { ready: false, reason: `readiness check failed: ${messageOf(error)}` };
    }
    if (readiness.ready) return { ready: true };
    return reply.code(503).send({ ready: false, reason: readiness.reason ?? 'not ready' });
  });

  app.get('/metrics', { config: PUBLIC_ROUTE }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });

  return {
    app,
    registry,
    async listen() {
      await app.listen({ host: options.host ?? '127.0.0.1', port: options.port });
      const address = app.server.address();
      if (address === null || typeof address === 'string')
        throw new Error(`${options.name}: server is not listening on a TCP port`);
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { host: address.address, port: address.port, url: `http://${host}:${address.port}` };
    },
    close: () => app.close(),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
