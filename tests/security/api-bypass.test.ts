import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerterConfigSchema } from '@wirewatch/alerter';
import { AUTH, startAlerterUnderTest, TOKEN, type AlerterUnderTest } from './alerter-under-test.js';
import { rawRequest } from './raw-http.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
/** A body that, if any handler took it, would change the state: an empty rule set, a ten-year silence. */
const HOSTILE_BODY = JSON.stringify({
  yaml: 'rules: []\n',
  matchers: [{ label: 'sensor', value: 'x' }],
  duration: '87600h',
  comment: 'x',
});

/** The ways a path gets spelled to slip past a check that compares strings instead of routes. */
function spellings(path: string): string[] {
  const rest = path.slice('/api'.length);
  const encodeAll = path.replace(/[^/]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return [
    path,
    `/%61pi${rest}`,
    `/%41PI${rest.toUpperCase()}`,
    `/a%70i${rest}`,
    `/api${rest.replace(/.$/, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
    encodeAll,
    encodeAll.toUpperCase(),
    `/%2561pi${rest}`,
    `/api%2F${rest.slice(1)}`,
    `/api%2f${rest.slice(1)}`,
    `/%2Fapi${rest}`,
    `/${path}`,
    `//${path}`,
    `/api/${rest}`,
    `/.${path}`,
    `/./${path.slice(1)}`,
    `/api/.${rest}`,
    `/x/..${path}`,
    `/x/%2e%2e${path}`,
    `/api${rest}/..;${rest}`,
    path.toUpperCase(),
    `/API${rest}`,
    `/Api${rest}`,
    `${path}/`,
    `${path}//`,
    `${path}?`,
    `${path}?x=1`,
    `${path}#`,
    `${path}#x`,
    `${path};jsessionid=x`,
    `/api;x=1${rest}`,
    `${path}%00`,
    `${path}%20`,
    `${path}%09`,
    `${path}.json`,
    `/%EF%BD%81pi${rest}`, // fullwidth a
    path.replace(/\//g, '\\'),
    `/api\\${rest.slice(1)}`,
    `http://localhost${path}`, // absolute form in the request line
  ];
}

let under: AlerterUnderTest;
let base: { host: string; port: number };
let silenceId: string;
let authenticated: string[];
const state = () => under.state();

beforeAll(async () => {
  under = await startAlerterUnderTest();
  ({ base, authenticated } = under);
  const created = await under.server.app.inject({
    method: 'POST',
    url: '/api/silences',
    headers: AUTH,
    payload: { matchers: [{ label: 'sensor', value: 'kept' }], duration: '1h', comment: 'the one there' },
  });
  expect(created.statusCode).toBe(201);
  silenceId = created.json<{ id: string }>().id;
}, 60_000);

afterAll(async () => {
  await under?.close();
});

const routes = () => [
  '/api/rules',
  '/api/rules/validate',
  '/api/alerts',
  '/api/alerts/history',
  '/api/silences',
  `/api/silences/${silenceId}`,
];

describe('alerter API: no spelling of a path reaches a handler without the token', () => {
  it('binds to loopback by default', () => {
    expect(alerterConfigSchema.parse({}).http.host).toBe('127.0.0.1');
    expect(base.host).toBe('127.0.0.1');
  });

  it('over fastify inject: every route, method and spelling answers 401 or 404', async () => {
    const before = state();
    authenticated.length = 0;
    const answers = new Map<string, number>();
    for (const route of routes()) {
      for (const url of spellings(route)) {
        for (const method of METHODS) {
          const response = await under.server.app.inject({
            method,
            url,
            headers: { 'content-type': 'application/json' },
            payload: method === 'GET' || method === 'HEAD' ? undefined : HOSTILE_BODY,
          });
          answers.set(`${method} ${url}`, response.statusCode);
        }
      }
    }
    expect([...answers].filter(([, status]) => status !== 401 && status !== 404)).toEqual([]);
    expect(authenticated).toEqual([]);
    // The decoded spellings do match the routes: refused by the token check, not by luck.
    expect(answers.get('GET /%61pi/rules')).toBe(401);
    expect(answers.get('PUT /%61pi/rules')).toBe(401);
    expect(answers.get('POST /%61pi/silences')).toBe(401);
    expect(state()).toEqual(before);
  });

  it('over a real socket, the request line sent byte for byte: every route, method and spelling answers 400, 401 or 404', async () => {
    const before = state();
    authenticated.length = 0;
    const answers = new Map<string, number>();
    for (const route of routes()) {
      const requests = spellings(route).flatMap((url) => METHODS.map((method) => ({ method, url })));
      // A few at a time: enough to be quick, few enough not to queue up on a busy machine.
      for (let i = 0; i < requests.length; i += 8) {
        await Promise.all(
          requests.slice(i, i + 8).map(async ({ method, url }) => {
            const body = method === 'GET' || method === 'HEAD' ? undefined : HOSTILE_BODY;
            const response = await rawRequest(base, method, url, { 'content-type': 'application/json' }, body);
            answers.set(`${method} ${url}`, response.status);
          }),
        );
      }
    }
    // 400: Node's HTTP parser refuses the request line itself (e.g. a backslash); never a handler.
    expect([...answers].filter(([, status]) => status !== 400 && status !== 401 && status !== 404)).toEqual([]);
    expect(authenticated).toEqual([]);
    expect(answers.get('GET /%61pi/rules')).toBe(401);
    expect(answers.get('PUT /%61pi/rules')).toBe(401);
    expect(answers.get('POST /%61pi/silences')).toBe(401);
    // inject resolves dot segments itself; a socket hands them to the router unresolved (404).
    expect(answers.get('GET /x/../api/rules')).toBe(404);
    expect(state()).toEqual(before);
  });

  it('refuses a wrong token of the same length, a longer or shorter one, and other schemes, over a socket', async () => {
    const before = state();
    authenticated.length = 0;
    const wrong = [
      `Bearer ${TOKEN.slice(0, -1)}X`,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN.slice(0, 16)}`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Basic ${Buffer.from(`alerter:${TOKEN}`).toString('base64')}`,
      TOKEN,
      'Bearer',
      'Bearer null',
      `Bearer ${TOKEN}\u0000`,
    ];
    for (const authorization of wrong) {
      for (const [method, url] of [
        ['GET', '/api/rules'],
        ['PUT', '/api/rules'],
        ['POST', '/api/silences'],
        ['DELETE', `/api/silences/${silenceId}`],
      ] as const) {
        const response = await rawRequest(
          base,
          method,
          url,
          { 'content-type': 'application/json', authorization },
          method === 'GET' ? undefined : HOSTILE_BODY,
        );
        expect([400, 401], `${method} ${url} with "${authorization}"`).toContain(response.status);
      }
    }
    expect(authenticated).toEqual([]);
    expect(state()).toEqual(before);
  });

  it('with the token, the same routes answer (the scheme in any case), encoded spellings included', async () => {
    authenticated.length = 0;
    for (const scheme of ['Bearer', 'bearer']) {
      const response = await rawRequest(base, 'GET', '/%61pi/rules', { authorization: `${scheme} ${TOKEN}` });
      expect(response.status).toBe(200);
      expect((JSON.parse(response.body) as { rules: unknown[] }).rules.length).toBe(under.alerter.ruleSet.rules.length);
    }
    expect((await rawRequest(base, 'HEAD', '/api/alerts', AUTH)).status).toBe(200);
    expect((await rawRequest(base, 'GET', '/api/silences', AUTH)).body).toContain(silenceId);
    // The hook the other tests watch does see authenticated requests.
    expect(authenticated).toEqual(['GET /%61pi/rules', 'GET /%61pi/rules', 'HEAD /api/alerts', 'GET /api/silences']);
  });

  it('keeps /healthz, /readyz, /metrics and /openapi.json public, and every route the OpenAPI document lists behind the token', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json'])
      expect((await rawRequest(base, 'GET', url)).status, url).toBe(200);
    const { paths } = JSON.parse((await rawRequest(base, 'GET', '/openapi.json')).body) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), url: path.replace('{id}', silenceId) })),
    );
    expect(operations.length).toBe(8);
    // Public /metrics: counts and names, not what the API guards (the rules' text, the silences).
    const metrics = (await rawRequest(base, 'GET', '/metrics')).body;
    expect(metrics).toContain('wirewatch_alerter_rules ');
    for (const secret of [silenceId, 'the one there', under.alerter.ruleSet.rules[0].description!])
      expect(metrics).not.toContain(secret);
    for (const { method, url } of operations)
      expect((await rawRequest(base, method, url)).status, `${method} ${url}`).toBe(401);
  });
});
