import { connect as connectTcp } from 'node:net';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeUdpCapture } from '@wirewatch/capture/testing';
import { waitFor } from '../harness/index.js';
import { connect, jetstreamManager } from '../harness/nats-client.js';
import { killAll, startService, type ServiceProcess } from '../pipeline/service-process.js';
import { startStack, type Stack } from '../pipeline/stack.js';
import { startMailCatcher, startWebhookReceiver } from './receivers.js';

const TOKEN = 'test-token-0123456789abcdef';
const SECRET = 'webhook-secret-for-tests';
const canCapture = process.getuid?.() === 0 || process.env.CI !== undefined;

let stack: Stack;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let mail: Awaited<ReturnType<typeof startMailCatcher>>;
let config: string;

const RULES = `rules:
  - name: traffic-spike
    kind: threshold
    description: Traffic spike
    severity: critical
    group_by: [sensor, interface]
    metric: bytes_per_second
    aggregate: avg
    window: 1s
    above: 50000
    clear: 20000
    for: 1s
    receivers: [hook, mail]
  - name: port-scan
    kind: distinct_count
    severity: warning
    group_by: [sensor, interface, source]
    metric: fanout.ports_per_source
    aggregate: max
    above: 50
    receivers: [hook]
  - name: sensor-silent
    kind: absence
    severity: critical
    of: heartbeat
    group_by: [sensor]
    after: 3s
    receivers: [hook]
`;

beforeAll(async () => {
  [stack, hook, mail] = await Promise.all([startStack(), startWebhookReceiver(SECRET), startMailCatcher()]);
  writeFileSync(join(stack.dir, 'rules.yaml'), RULES);
  writeFileSync(join(stack.dir, 'hook-secret'), `${SECRET}\n`);
  config = join(stack.dir, 'alerter.yaml');
  writeFileSync(
    config,
    `rules: ${join(stack.dir, 'rules.yaml')}
dashboardUrl: http://grafana.example/d/wirewatch
receivers:
  - name: hook
    webhook: { url: "${hook.url}", secretFile: "${join(stack.dir, 'hook-secret')}", timeoutMs: 2000 }
  - name: mail
    email: { host: 127.0.0.1, port: ${mail.port}, starttls: "off", from: "wirewatch@example.net", to: ["oncall@example.net"] }
`,
  );
}, 60_000);

afterAll(async () => {
  await killAll();
  await Promise.allSettled([stack?.dispose(), hook?.close(), mail?.close()]);
});

function alerter(): ServiceProcess {
  return startService(
    stack.bundle,
    ['alerter', '-c', config, '--nats', stack.nats.url, '--http-port', '0', '--http-host', '127.0.0.1'],
    {
      WIREWATCH_API_TOKEN: TOKEN,
    },
  );
}

async function active(a: ServiceProcess): Promise<void> {
  await waitFor(async () => (await a.metric('wirewatch_alerter_active')) === 1, {
    what: 'alerter active',
    timeoutMs: 20_000,
  });
}

const hooks = (rule: string, state: string) =>
  hook.received.filter((h) => h.body.rule === rule && h.body.state === state);

describe('alerter, end to end', () => {
  it('a replayed traffic spike fires once by webhook and e-mail, and the return to normal resolves it', async () => {
    const a = alerter();
    await active(a);
    // 6 s at 10 frames/s, 4 s at 400 frames/s of 1,000-byte payloads (~400 KB/s), 6 s quiet again.
    const times: number[] = [];
    const t0 = Math.floor(Date.now() / 1000) - 100;
    for (let i = 0; i < 60; i++) times.push(t0 + i / 10);
    for (let i = 0; i < 1600; i++) times.push(t0 + 6 + i / 400);
    for (let i = 0; i < 60; i++) times.push(t0 + 10 + i / 10);
    const spike = join(stack.dir, 'spike.pcap');
    writeUdpCapture(spike, times, 5353, 1000);
    const sensor = stack.replay('spiky', spike, ['--speed', '2']);
    expect(await sensor.exited).toBe(0);

    await waitFor(() => hooks('traffic-spike', 'resolved').length === 1, {
      what: 'the spike resolved by webhook',
      timeoutMs: 30_000,
    });
    const fired = hooks('traffic-spike', 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0].body.labels).toMatchObject({ sensor: 'spiky' });
    expect(hook.received.every((h) => h.signatureValid)).toBe(true);
    await waitFor(() => mail.mails.length >= 2, { what: 'two e-mails' });
    expect(mail.mails.map((m) => m.subject)).toEqual([
      expect.stringMatching(/FIRING.*critical/i),
      expect.stringMatching(/RESOLVED/i),
    ]);
    expect(mail.mails[0].raw).toContain('http://grafana.example/d/wirewatch');
    expect(mail.mails[0].to).toEqual(['oncall@example.net']);

    const history = await (
      await fetch(`${await a.url()}/api/alerts/history`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json();
    expect(
      (history as { rule: string; state: string }[]).filter((h) => h.rule === 'traffic-spike').map((h) => h.state),
    ).toEqual(expect.arrayContaining(['firing', 'resolved']));
    await a.stop();
  }, 90_000);

  it.skipIf(!canCapture)(
    'a port scan made with packets on lo fires the fan-out rule',
    async () => {
      const a = alerter();
      await active(a);
      const base = 21000 + Math.floor(Math.random() * 20000);
      const sensor = startService(stack.bundle, [
        'sensor',
        '--nats',
        stack.nats.url,
        '--http-port',
        '0',
        '--http-host',
        '127.0.0.1',
        '--id',
        'scanned',
        '--interface',
        'lo',
        '--filter',
        `tcp and portrange ${base}-${base + 199}`,
        '--spool-dir',
        join(stack.dir, 'spool-scan'),
      ]);
      await sensor.ready();
      // 200 connection attempts to closed ports: 200 SYNs, each answered by a RST.
      await Promise.all(
        Array.from(
          { length: 200 },
          (_, i) =>
            new Promise<void>((resolve) =>
              connectTcp(base + i, '127.0.0.1')
                .on('error', () => resolve())
                .on('connect', function (this: import('node:net').Socket) {
                  this.destroy();
                  resolve();
                }),
            ),
        ),
      );
      await waitFor(() => hooks('port-scan', 'firing').length === 1, { what: 'port-scan fired', timeoutMs: 20_000 });
      expect(hooks('port-scan', 'firing')[0].body.labels).toMatchObject({ sensor: 'scanned', source: '127.0.0.1' });
      await sensor.stop();
      await a.stop();
    },
    90_000,
  );

  it('an alerter killed while an alert fires, and restarted, sends no second firing and still lists it', async () => {
    const a = alerter();
    await active(a);
    const sensor = stack.replay('goes-silent', join(stack.dir, 'spike.pcap'), ['--speed', 'max', '--heartbeat', '0.5']);
    expect(await sensor.exited).toBe(0);
    await waitFor(() => hooks('sensor-silent', 'firing').some((h) => h.body.labels.sensor === 'goes-silent'), {
      what: 'sensor-silent fired',
      timeoutMs: 20_000,
    });
    // Killed once the delivery is on record (the outbox entry saved as done), as after any real delivery.
    await waitFor(
      async () =>
        (await a.metric('wirewatch_alerter_outbox')) === 0 && (await a.metric('wirewatch_alerter_state_unsaved')) === 0,
      {
        what: 'the delivery recorded',
      },
    );
    await a.kill();
    const b = alerter();
    await active(b);
    const alerts = (await (
      await fetch(`${await b.url()}/api/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { rule: string; state: string }[];
    expect(alerts.filter((x) => x.rule === 'sensor-silent' && x.state === 'firing').length).toBeGreaterThanOrEqual(1);
    // Three evaluations of the restarted alerter later, still exactly one firing notification for that sensor.
    const ticks = await b.metric('wirewatch_alerter_ticks_total');
    await waitFor(async () => (await b.metric('wirewatch_alerter_ticks_total')) >= ticks + 3, {
      what: 'three evaluation ticks after the restart',
    });
    expect(hooks('sensor-silent', 'firing').filter((h) => h.body.labels.sensor === 'goes-silent')).toHaveLength(1);
    await b.stop();
  }, 90_000);

  it('refuses a bad rules file at start and bad API input, with clear errors', async () => {
    writeFileSync(
      join(stack.dir, 'bad.yaml'),
      'rules:\n  - name: x\n    kind: threshold\n    metric: bytes\n    above: lots\n',
    );
    const run = spawnSync(
      process.execPath,
      [stack.bundle, 'alerter', '--rules', join(stack.dir, 'bad.yaml'), '--nats', stack.nats.url, '--http-port', '0'],
      { encoding: 'utf8', timeout: 15_000 },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/bad\.yaml:5 .*above/);
    const a = alerter();
    await active(a);
    const url = await a.url();
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    expect((await fetch(`${url}/api/alerts`)).status).toBe(401);
    expect(
      (await fetch(`${url}/api/alerts`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status,
    ).toBe(401);
    const invalid = await fetch(`${url}/api/rules`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ yaml: 'rules:\n  - name: y\n    kind: nope\n' }),
    });
    expect(invalid.status).toBe(422);
    expect(((await invalid.json()) as { errors: string[] }).errors[0]).toMatch(/request:3/);
    const current = (await (await fetch(`${url}/api/rules`, { headers: auth })).json()) as { rules: unknown[] };
    expect(current.rules).toHaveLength(3);
    const badSilence = await fetch(`${url}/api/silences`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ matchers: [], comment: 'x' }),
    });
    expect(badSilence.status).toBe(400);
    const silence = await fetch(`${url}/api/silences`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ matchers: [{ label: 'sensor', value: 'spiky' }], duration: '1h', comment: 'maintenance' }),
    });
    expect(silence.status).toBe(201);
    const { id } = (await silence.json()) as { id: string };
    expect(
      (await fetch(`${url}/api/silences/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } }))
        .status,
    ).toBe(204);
    const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/rules', '/api/silences', '/api/alerts']));
    await a.stop();
  }, 60_000);

  it('leaves the streams alone with nats.manageStreams off: a missing stream is an error, not created', async () => {
    const run = spawnSync(
      process.execPath,
      [stack.bundle, 'alerter', '--nats', stack.nats.url, '--stream', 'UNMANAGED', '--http-port', '0'],
      {
        encoding: 'utf8',
        timeout: 20_000,
        env: {
          ...process.env,
          WIREWATCH_NATS_MANAGE_STREAMS: 'false',
          WIREWATCH_API_TOKEN: TOKEN,
          WIREWATCH_LOG_LEVEL: 'silent',
        },
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^wirewatch: .*stream not found/i)]);
    const nc = await connect({ servers: stack.nats.url });
    try {
      await expect((await jetstreamManager(nc)).streams.info('UNMANAGED')).rejects.toThrow(/stream not found/i);
    } finally {
      await nc.close();
    }
  }, 30_000);
});
