import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { startNats, type NatsHandle } from '../harness/index.js';
import { killAll, startService, type ServiceProcess } from '../pipeline/service-process.js';
import { rawRequest } from './raw-http.js';

const TOKEN = 'process-token-0123456789abcdef';

let nats: NatsHandle;
let alerter: ServiceProcess;
let base: { host: string; port: number };

beforeAll(async () => {
  const [bundle, server] = await Promise.all([buildCli(), startNats()]);
  nats = server;
  // No --http-host: the default address is part of what is tested.
  alerter = startService(bundle, ['alerter', '--nats', nats.url, '--http-port', '0'], { WIREWATCH_API_TOKEN: TOKEN });
  await alerter.ready();
  const url = new URL(await alerter.url());
  base = { host: url.hostname, port: Number(url.port) };
}, 120_000);

afterAll(async () => {
  await killAll();
  await nats?.dispose();
});

describe('`wirewatch alerter` as a process: the reported bypass, over a socket', () => {
  it('listens on 127.0.0.1 when no host is given', () => {
    expect(alerter.logs.find((l) => l.msg === 'health and metrics listening')?.url).toBe(
      `http://127.0.0.1:${base.port}`,
    );
  });

  it('refuses GET and PUT /%61pi/rules and POST /%61pi/silences without the token; the rules stay', async () => {
    const rulesBefore = (
      JSON.parse((await rawRequest(base, 'GET', '/api/rules', { authorization: `Bearer ${TOKEN}` })).body) as {
        rules: unknown[];
      }
    ).rules;
    expect(rulesBefore.length).toBeGreaterThan(0);
    const json = { 'content-type': 'application/json' };
    expect((await rawRequest(base, 'GET', '/%61pi/rules')).status).toBe(401);
    expect((await rawRequest(base, 'PUT', '/%61pi/rules', json, JSON.stringify({ yaml: 'rules: []\n' }))).status).toBe(
      401,
    );
    const silence = { matchers: [{ label: 'sensor', value: 'x' }], duration: '87600h', comment: 'x' };
    expect((await rawRequest(base, 'POST', '/%61pi/silences', json, JSON.stringify(silence))).status).toBe(401);
    const after = await rawRequest(base, 'GET', '/%61pi/rules', { authorization: `Bearer ${TOKEN}` });
    expect(after.status).toBe(200);
    expect((JSON.parse(after.body) as { rules: unknown[] }).rules).toEqual(rulesBefore);
    expect(
      JSON.parse((await rawRequest(base, 'GET', '/api/silences', { authorization: `Bearer ${TOKEN}` })).body),
    ).toEqual([]);
  });
});
