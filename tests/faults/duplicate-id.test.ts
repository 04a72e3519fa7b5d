import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../corpus/corpus.js';
import { startWebhookReceiver } from '../alerts/receivers.js';
import { influxRows, waitFor } from '../harness/index.js';
import { killAll, startService } from '../pipeline/service-process.js';
import { DATABASE, startSensorStack, type AnalyzeReport, type SensorStack } from './sensor-stack.js';

const LAB = join(ROOT, 'samples/lab.pcap');
const INTERVAL = 0.25;
const SECRET = 'webhook-secret-for-duplicate-ids';

let stack: SensorStack;
let lab: AnalyzeReport;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  [stack, hook] = await Promise.all([startSensorStack(), startWebhookReceiver(SECRET)]);
  lab = await stack.analyze(LAB, INTERVAL);
  writeFileSync(
    join(stack.dir, 'rules.yaml'),
    'rules:\n  - name: silent\n    kind: absence\n    severity: critical\n    of: heartbeat\n    group_by: [sensor]\n    after: 1h\n    receivers: [hook]\n',
  );
  writeFileSync(join(stack.dir, 'hook-secret'), SECRET);
  writeFileSync(
    join(stack.dir, 'alerter.yaml'),
    `rules: ${join(stack.dir, 'rules.yaml')}\nreceivers:\n  - name: hook\n    webhook: { url: "${hook.url}", secretFile: "${join(stack.dir, 'hook-secret')}", timeoutMs: 2000 }\n`,
  );
}, 60_000);

afterAll(async () => {
  await killAll();
  await Promise.allSettled([stack?.dispose(), hook?.close()]);
});

const duplicateHooks = (state: string) =>
  hook.received.filter((h) => h.body.rule === 'sensor-duplicate-id' && h.body.state === state);

describe('two sensors started with the same id', () => {
  it("both runs' packets are stored and add up; the shared id is counted, warned once, and alerted to a webhook", async () => {
    const alerter = startService(
      stack.bundle,
      [
        'alerter',
        '-c',
        join(stack.dir, 'alerter.yaml'),
        '--nats',
        stack.nats.url,
        '--http-port',
        '0',
        '--http-host',
        '127.0.0.1',
      ],
      {
        WIREWATCH_API_TOKEN: 'test-token-0123456789abcdef',
      },
    );
    await waitFor(async () => (await alerter.metric('wirewatch_alerter_active')) === 1, {
      what: 'alerter active',
      timeoutMs: 20_000,
    });

    // The same capture replayed by two processes under one id, at the same time: every interval twice.
    const twins = ['a', 'b'].map((n) =>
      stack.sensor([
        '--id',
        'twin',
        '--interval',
        String(INTERVAL),
        '--spool-dir',
        join(stack.dir, `spool-${n}`),
        '--pcap',
        LAB,
        '--speed',
        '6',
      ]),
    );
    expect(await Promise.all(twins.map((t) => t.exited))).toEqual([0, 0]);

    // Both runs' points are kept: the sum is twice the capture, each interval holds two points.
    const sum = async () =>
      Number(
        influxRows(await stack.influx.query(`SELECT sum(packets) AS p FROM traffic WHERE sensor = 'twin'`, DATABASE))[0]
          ?.p ?? 0,
      );
    await waitFor(async () => (await sum()) === 2 * lab.packets, {
      what: "both runs' packets stored",
      timeoutMs: 20_000,
    });
    const perInterval = influxRows(
      await stack.influx.query(
        `SELECT count(packets) AS n FROM traffic WHERE sensor = 'twin' GROUP BY time(250ms) fill(none)`,
        DATABASE,
      ),
    );
    expect(perInterval.length).toBe(lab.timeline.length);
    expect(perInterval.every((r) => Number(r.n) === 2)).toBe(true);

    await waitFor(() => duplicateHooks('firing').length === 1, {
      what: 'the duplicate-id alert notified',
      timeoutMs: 20_000,
    });
    expect(duplicateHooks('firing')[0].body.labels).toMatchObject({ sensor: 'twin', category: 'health' });
    expect(hook.received.every((h) => h.signatureValid)).toBe(true);
    expect(await alerter.metric('wirewatch_alerter_sensor_duplicate_id', { sensor: 'twin' })).toBe(1);
    expect(await alerter.metric('wirewatch_alerter_sensor_run_interleavings_total')).toBeGreaterThanOrEqual(3);
    const health = (await (await fetch(`${await alerter.url()}/healthz`)).json()) as { warnings: string[] };
    expect(health.warnings).toEqual([
      expect.stringMatching(
        /^sensor id twin is used by more than one live sensor \(runs [0-9a-f]{12}, [0-9a-f]{12} interleave\): their data mixes$/,
      ),
    ]);
    const warned = alerter.logs.filter(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('two or more live sensors publish under one sensor id'),
    );
    expect(warned).toEqual([expect.objectContaining({ level: 'warn', sensor: 'twin' })]);
    expect((warned[0].runs as string[]).sort()).toEqual(
      twins.map((t) => String(t.logs.find((l) => l.msg === 'health and metrics listening')!.run)).sort(),
    );
    await alerter.stop();
  }, 60_000);
});
