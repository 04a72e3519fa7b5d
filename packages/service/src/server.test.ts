import { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { createServiceServer, type Readiness, type ServiceServer } from './server.js';
import { LogLines } from './test-support/log-lines.js';

const servers: ServiceServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function makeServer(
  options: { level?: 'info' | 'debug'; readiness?: () => Readiness; health?: () => Record<string, unknown> } = {},
) {
  const log = new LogLines();
  const server = createServiceServer({
    name: 'sensor',
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ name: 'sensor', level: options.level ?? 'info', destination: log }),
    ...options,
  });
  servers.push(server);
  return { server, log };
}

describe('createServiceServer', () => {
  it('answers /healthz with 200 and the health object', async () => {
    const { server } = makeServer({ health: () => ({ spool: { records: 3 } }) });
    const response = await server.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      service: 'sensor',
      uptimeSeconds: expect.any(Number),
      spool: { records: 3 },
    });
  });

  it('answers /readyz with 200 when ready and 503 with the reason when not, following the check', async () => {
    let readiness: Readiness = { ready: false, reason: 'NATS unreachable' };
    const { server } = makeServer({ readiness: () => readiness });
    let response = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ ready: false, reason: 'NATS unreachable' });

    readiness = { ready: true };
    response = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ready: true });

    readiness = { ready: false };
    response = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ ready: false, reason: 'not ready' });
  });

  it('reports a readiness check that throws as not ready', async () => {
    const { server } = makeServer({
      readiness: () => {
        throw new Error('boom');
      },
    });
    const response = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ ready: false, reason: 'readiness check failed: boom' });
  });

  it('serves /metrics from its own registry: default metrics prefixed wirewatch_ and the service’s own', async () => {
    const { server } = makeServer();
    const published = new Counter({
      name: 'wirewatch_summaries_published_total',
      help: 'Summaries published',
      registers: [server.registry],
    });
    published.inc(4);
    const response = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(server.registry.contentType);
    expect(response.body).toContain('wirewatch_summaries_published_total 4');
    expect(response.body).toMatch(/^wirewatch_process_cpu_user_seconds_total \d/m);
    expect(response.body).not.toMatch(/^process_cpu_user_seconds_total/m);
  });

  it('keeps each server’s metrics apart', async () => {
    const { server: a } = makeServer();
    const { server: b } = makeServer();
    new Counter({ name: 'wirewatch_only_in_a_total', help: 'a', registers: [a.registry] }).inc();
    expect(await b.registry.metrics()).not.toContain('wirewatch_only_in_a_total');
  });

  it('serves all three endpoints over a real socket on the port it bound', async () => {
    const { server } = makeServer({ readiness: () => ({ ready: false, reason: 'starting' }) });
    const address = await server.listen();
    expect(address.port).toBeGreaterThan(0);
    expect(address.url).toBe(`http://127.0.0.1:${address.port}`);

    const health = await fetch(`${address.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'sensor' });

    const ready = await fetch(`${address.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, reason: 'starting' });

    const metrics = await fetch(`${address.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toBe(server.registry.contentType);
    expect(await metrics.text()).toContain('wirewatch_nodejs_heap_size_used_bytes');
  });

  it('logs requests at debug level only', async () => {
    const quiet = makeServer({ level: 'info' });
    await quiet.server.app.inject({ method: 'GET', url: '/metrics' });
    expect(quiet.log.lines).toEqual([]);

    const verbose = makeServer({ level: 'debug' });
    await verbose.server.app.inject({ method: 'GET', url: '/metrics' });
    expect(verbose.log.records()).toContainEqual(
      expect.objectContaining({ level: 'debug', msg: 'request completed', url: '/metrics', statusCode: 200 }),
    );
  });
});
