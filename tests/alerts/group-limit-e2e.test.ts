import { jetstream } from '@nats-io/jetstream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSummaryMessage, encodeMessage, summarySubject } from '@wirewatch/protocol';
import { SketchSummarizer } from '@wirewatch/traffic';
import { buildCli } from '../../scripts/build-cli.mjs';
import { startNats, waitFor, type NatsHandle } from '../harness/index.js';
import { connect } from '../harness/nats-client.js';
import { killAll, startService, type ServiceProcess } from '../pipeline/service-process.js';
import { startWebhookReceiver } from './receivers.js';

const SECRET = 'webhook-secret-for-tests';
/** Small, so the flood stays small: the same code path as the default 10,000. */
const LIMIT = 50;

const RULES = `rules:
  - name: port-scan
    kind: distinct_count
    severity: warning
    group_by: [sensor, interface, source]
    metric: fanout.ports_per_source
    aggregate: max
    above: 100
    receivers: [hook]
`;

let nats: NatsHandle;
let bundle: string;
let dir: string;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  [bundle, nats, hook] = await Promise.all([buildCli(), startNats(), startWebhookReceiver(SECRET)]);
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-group-limit-'));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  writeFileSync(join(dir, 'hook-secret'), SECRET);
  writeFileSync(
    join(dir, 'alerter.yaml'),
    `rules: ${join(dir, 'rules.yaml')}
engine: { maxGroupsPerRule: ${LIMIT} }
receivers:
  - name: hook
    webhook: { url: "${hook.url}", secretFile: "${join(dir, 'hook-secret')}", timeoutMs: 2000 }
`,
  );
}, 60_000);

afterAll(async () => {
  await killAll();
  await Promise.allSettled([nats?.dispose(), hook?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
/** A schema-valid summary whose fan-out lists `sources` (at most 100, the protocol's bound). */
function summary(sensor: string, start: number, sources: { ip: string; ports: number }[]): Uint8Array {
  const s = buildSummaryMessage(new SketchSummarizer({ capacity: 8, precision: 4 }), {
    sensor,
    run: 'e2e',
    seq: ++seq,
    interface: 'eth0',
    start,
    end: start + 1000,
    emitted: start + 1000,
    kernelDropped: 0,
    late: 0,
  });
  s.fanout = { sources: sources.map((e) => ({ ...e, destinations: 1 })), pairs_dropped: 0 };
  return encodeMessage(s);
}

/** 100 made-up sources, each trying one port: too small to alert, enough to fill the rule twice over. */
const fakeSources = (round: number) => Array.from({ length: 100 }, (_, i) => ({ ip: `10.66.${round}.${i}`, ports: 1 }));

async function publish(messages: { sensor: string; data: Uint8Array }[]): Promise<void> {
  const nc = await connect({ servers: nats.url });
  try {
    const js = jetstream(nc);
    for (const m of messages) await js.publish(summarySubject(m.sensor), m.data);
  } finally {
    await nc.drain();
  }
}

const hooks = (rule: string, state: string) =>
  hook.received.filter((h) => h.body.rule === rule && h.body.state === state);

describe('alerter at its group limit, end to end', () => {
  it('a flood of fake fan-out sources does not hide a real scan; the limit is counted, warned in /healthz, logged once and alerted', async () => {
    const alerter: ServiceProcess = startService(
      bundle,
      ['alerter', '-c', join(dir, 'alerter.yaml'), '--nats', nats.url, '--http-port', '0', '--http-host', '127.0.0.1'],
      {
        WIREWATCH_API_TOKEN: 'test-token-0123456789abcdef',
      },
    );
    await waitFor(async () => (await alerter.metric('wirewatch_alerter_active')) === 1, {
      what: 'alerter active',
      timeoutMs: 20_000,
    });
    expect(await alerter.metric('wirewatch_alerter_rule_group_limit')).toBe(LIMIT);

    const start = Date.now() - (Date.now() % 1000);
    // The liar's flood, several messages; then the real scan, from another sensor; then more flood.
    await publish([0, 1, 2].map((round) => ({ sensor: 'liar', data: summary('liar', start, fakeSources(round)) })));
    await publish([{ sensor: 'edge-1', data: summary('edge-1', start, [{ ip: '192.0.2.99', ports: 500 }]) }]);
    await waitFor(() => hooks('port-scan', 'firing').length === 1, {
      what: 'the real scan notified',
      timeoutMs: 20_000,
    });
    expect(hooks('port-scan', 'firing')[0].body.labels).toMatchObject({ sensor: 'edge-1', source: '192.0.2.99' });

    await waitFor(() => hooks('rule-group-limit', 'firing').length === 1, {
      what: 'the group-limit alert notified',
      timeoutMs: 20_000,
    });
    expect(hooks('rule-group-limit', 'firing')[0].body.labels).toMatchObject({
      limited_rule: 'port-scan',
      category: 'health',
    });
    expect(hook.received.every((h) => h.signatureValid)).toBe(true);

    await publish([3, 4].map((round) => ({ sensor: 'liar', data: summary('liar', start + 1000, fakeSources(round)) })));
    await waitFor(async () => (await alerter.metric('wirewatch_alerter_messages_total', { kind: 'summary' })) === 6, {
      what: 'every summary judged',
    });
    const ticks = await alerter.metric('wirewatch_alerter_ticks_total');
    await waitFor(async () => (await alerter.metric('wirewatch_alerter_ticks_total')) >= ticks + 2, {
      what: 'two ticks after the last flood',
    });

    // The first 300 fake sources against a limit of 50: 250 refused (none is larger than those held),
    // and the scan evicted one. (Later rounds may find the first groups gone quiet, 5 s after their interval.)
    expect(
      await alerter.metric('wirewatch_alerter_rule_groups_refused_total', { rule: 'port-scan' }),
    ).toBeGreaterThanOrEqual(250);
    expect(await alerter.metric('wirewatch_alerter_rule_groups_evicted_total', { rule: 'port-scan' })).toBe(1);
    expect(await alerter.metric('wirewatch_alerter_rule_groups', { rule: 'port-scan' })).toBeLessThanOrEqual(LIMIT);
    expect(await alerter.metric('wirewatch_alerter_rule_at_group_limit', { rule: 'port-scan' })).toBe(1);

    const health = (await (await fetch(`${await alerter.url()}/healthz`)).json()) as {
      status: string;
      warnings: string[];
    };
    expect(health.status).toBe('ok');
    expect(health.warnings).toEqual([
      expect.stringMatching(
        /^rule port-scan is at its group limit \(50\): \d+ new groups refused and 1 evicted; some of its alerts may be missed$/,
      ),
    ]);

    // One warning line for the episode, however many messages were refused; one notification.
    expect(
      alerter.logs.filter(
        (l) =>
          l.msg ===
          'rule at its group limit: new groups evict smaller ones or are refused; some of its alerts may be missed',
      ),
    ).toEqual([expect.objectContaining({ level: 'warn', rule: 'port-scan', limit: LIMIT })]);
    expect(hooks('rule-group-limit', 'firing')).toHaveLength(1);
    await alerter.stop();
  }, 90_000);
});
