import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasBomb, HOSTILE_RULE_TEXTS, realisticRules } from '@wirewatch/rules/testing';
import { AUTH, startAlerterUnderTest, type AlerterUnderTest } from './alerter-under-test.js';
import { rawRequest } from './raw-http.js';

/** Generous against a busy CI machine; the budget aimed at is ~100 ms. */
const CPU_BOUND_MS = 200;
/** The event loop's longest stall, wall time: inflated when other processes share the cores, so looser. */
const STALL_BOUND_MS = 1000;

let under: AlerterUnderTest;
beforeAll(async () => {
  under = await startAlerterUnderTest();
}, 60_000);
afterAll(async () => {
  await under?.close();
});

/** The rules API's answer, or fastify's error body for a request it refused before the route. */
const answer = (body: string) =>
  JSON.parse(body) as { ok?: boolean; errors?: string[]; rules?: number; message?: string };

const upload = (method: 'PUT' | 'POST', yaml: string) =>
  rawRequest(
    under.base,
    method,
    method === 'PUT' ? '/api/rules' : '/api/rules/validate',
    { ...AUTH, 'content-type': 'application/json' },
    JSON.stringify({ yaml }),
  );

/** One request over a socket, with the process's CPU time and the event loop's longest stall while it ran. */
async function measured(method: 'PUT' | 'POST', yaml: string) {
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  const cpu = process.cpuUsage();
  const response = await upload(method, yaml);
  const used = process.cpuUsage(cpu);
  stalls.disable();
  return { response, cpuMs: (used.user + used.system) / 1000, stallMs: stalls.max / 1e6 };
}

describe('alerter API: rule uploads within limits', () => {
  it('answers an alias bomb 422 with the reason, for validate and replace, and keeps the rules', async () => {
    const before = under.state();
    for (const method of ['POST', 'PUT'] as const) {
      const response = await upload(method, aliasBomb());
      expect(response.status).toBe(422);
      expect(JSON.parse(response.body)).toEqual({
        ok: false,
        errors: [expect.stringMatching(/^request: .*resource exhaustion.*at most 100 alias expansions/)],
      });
    }
    expect(under.state()).toEqual(before);
  });

  it('answers deep nesting 422, naming the line', async () => {
    const response = await upload('PUT', `rules:\n  - name: x\n    labels: ${'{a: '.repeat(40)}1${'}'.repeat(40)}\n`);
    expect(response.status).toBe(422);
    expect(answer(response.body).errors).toEqual(['request:3 nested deeper than 32 levels']);
  });

  it('answers YAML over 32 KiB 422 with the size, and a body over the route limit 413', async () => {
    const big = await upload('PUT', HOSTILE_RULE_TEXTS['over 32 KiB']());
    expect(big.status).toBe(422);
    expect(answer(big.body).errors).toEqual([
      expect.stringMatching(/^request: \d+ bytes, more than the 32768 allowed$/),
    ]);
    const huge = await upload('PUT', `rules: []\n#${'x'.repeat(200_000)}`);
    expect(huge.status).toBe(413);
    expect(answer(huge.body).message).toMatch(/too large/i);
  });

  it('answers a silence body over 16 KiB 413 and adds nothing', async () => {
    const before = under.state();
    const body = JSON.stringify({
      matchers: [{ label: 'sensor', value: 'x' }],
      duration: '1h',
      comment: 'x'.repeat(17 * 1024),
    });
    const response = await rawRequest(
      under.base,
      'POST',
      '/api/silences',
      { ...AUTH, 'content-type': 'application/json' },
      body,
    );
    expect(response.status).toBe(413);
    expect(under.state()).toEqual(before);
  });

  it.each(Object.keys(HOSTILE_RULE_TEXTS))('%s: 4xx with a reason, within the event-loop bound', async (name) => {
    const before = under.state();
    const yaml = HOSTILE_RULE_TEXTS[name]();
    await upload('POST', yaml); // warm-up: the bound is about the request, not the first compilation of the code
    const { response, cpuMs, stallMs } = await measured('PUT', yaml);
    console.log(
      `${name}: ${response.status}, ${cpuMs.toFixed(1)} ms CPU, longest event-loop stall ${stallMs.toFixed(1)} ms`,
    );
    expect(response.status).toBe(422);
    expect(answer(response.body).errors?.[0]).toMatch(/^request(:\d+)?:? \S/);
    expect(cpuMs).toBeLessThan(CPU_BOUND_MS);
    expect(stallMs).toBeLessThan(STALL_BOUND_MS);
    expect(under.state()).toEqual(before);
  });

  it('replaces the rules with the biggest realistic upload (the shipped rules copied to 32 KiB) within the bound', async () => {
    const yaml = realisticRules();
    await upload('POST', yaml);
    const { response, cpuMs, stallMs } = await measured('PUT', yaml);
    console.log(
      `realistic ${(yaml.length / 1024).toFixed(1)} KiB: ${response.status}, ${cpuMs.toFixed(1)} ms CPU, longest event-loop stall ${stallMs.toFixed(1)} ms`,
    );
    expect(response.status).toBe(200);
    expect(answer(response.body).rules).toBe(under.alerter.ruleSet.rules.length);
    expect(under.alerter.rulesYaml).toBe(yaml);
    expect(cpuMs).toBeLessThan(CPU_BOUND_MS);
    expect(stallMs).toBeLessThan(STALL_BOUND_MS);
  });
});
