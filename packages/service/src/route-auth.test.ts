import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { PUBLIC_ROUTE } from './route-auth.js';
import { createServiceServer, type ServiceServer } from './server.js';
import { LogLines } from './test-support/log-lines.js';

const TOKEN = 'kit-token-0123456789abcdef';
const servers: ServiceServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A service server with one private route (/private) and one a service marked public (/open), counting handler runs. */
function makeServer(options: { bearerToken?: string; noTokenHint?: string; host?: string } = {}) {
  const server = createServiceServer({
    name: 'sensor',
    port: 0,
    logger: createLogger({ name: 'sensor', level: 'silent', destination: new LogLines() }),
    ...options,
  });
  servers.push(server);
  const ran = { private: 0, open: 0 };
  server.app.get('/private', async () => ++ran.private);
  server.app.post('/private', async () => ++ran.private);
  server.app.get('/open', { config: PUBLIC_ROUTE }, async () => ++ran.open);
  return { server, ran };
}

describe('deny by default (service kit)', () => {
  it('keeps /healthz, /readyz, /metrics and routes marked public open without a token', async () => {
    const { server, ran } = makeServer({ bearerToken: TOKEN });
    for (const url of ['/healthz', '/readyz', '/metrics', '/open'])
      expect((await server.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    expect(ran.open).toBe(1);
  });

  it('refuses every other route without the token, before its handler runs', async () => {
    const { server, ran } = makeServer({ bearerToken: TOKEN });
    const get = await server.app.inject({ method: 'GET', url: '/private' });
    expect(get.statusCode).toBe(401);
    expect(get.headers['www-authenticate']).toBe('Bearer');
    expect(get.json()).toEqual({ error: 'missing or wrong bearer token' });
    expect((await server.app.inject({ method: 'POST', url: '/private', payload: { a: 1 } })).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'HEAD', url: '/private' })).statusCode).toBe(401);
    expect(ran.private).toBe(0);
  });

  it('without a configured token, refuses every route not public, with the hint', async () => {
    const { server, ran } = makeServer({ noTokenHint: 'the API is disabled: set X' });
    const response = await server.app.inject({ method: 'GET', url: '/private', headers: { authorization: 'Bearer ' } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: 'the API is disabled: set X' });
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect(ran.private).toBe(0);
  });

  it('accepts exactly the token, the scheme in any case (RFC 7235)', async () => {
    const { server, ran } = makeServer({ bearerToken: TOKEN });
    const status = async (authorization: string) =>
      (await server.app.inject({ method: 'GET', url: '/private', headers: { authorization } })).statusCode;
    expect(await status(`Bearer ${TOKEN}`)).toBe(200);
    expect(await status(`bearer ${TOKEN}`)).toBe(200);
    expect(await status(`BEARER ${TOKEN}`)).toBe(200);
    expect(ran.private).toBe(3);
    const refused = [
      `Bearer ${TOKEN.slice(0, -1)}x`, // same length, last character wrong
      `Bearer x${TOKEN.slice(1)}`, // same length, first character wrong
      `Bearer ${TOKEN}x`, // longer
      `Bearer ${TOKEN.slice(0, -1)}`, // shorter
      `Bearer ${TOKEN.toUpperCase()}`,
      `Bearer`,
      `Bearer `,
      TOKEN, // no scheme
      `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`,
      `Token ${TOKEN}`,
      `Bearer${TOKEN}`,
      '',
    ];
    for (const authorization of refused) expect(await status(authorization), authorization).toBe(401);
    expect(ran.private).toBe(3);
  });

  it('answers an unknown path 404 without running any handler', async () => {
    const { server, ran } = makeServer({ bearerToken: TOKEN });
    expect((await server.app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
    expect((await server.app.inject({ method: 'GET', url: '/private/' })).statusCode).toBe(404);
    expect(ran).toEqual({ private: 0, open: 0 });
  });

  it('listens on loopback unless given a host', async () => {
    const { server } = makeServer();
    expect((await server.listen()).host).toBe('127.0.0.1');
  });
});
