/**
 * One identity per sensor, and the pipeline under least privilege: the shipped nats.conf and
 * accounts.conf plus the entries `wirewatch credentials sensor ID` prints, the real services as
 * processes (a sensor with its NKey seed, the collector into influxd, the alerter judging), each as
 * its own user with the inbox prefix docker-compose.yml gives it. Then a revocation, by reloading
 * the running server without the sensor's entry.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, nkeyAuthenticator } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptureFile } from '@wirewatch/report';
import { buildCli } from '../../scripts/build-cli.mjs';
import { startWebhookReceiver } from '../alerts/receivers.js';
import { composeConfig, hasDockerCompose } from '../deploy/compose.js';
import { REPO } from '../deploy/image-build.js';
import { accountOf, reloadLabNats, startLabNats, type LabNats } from '../deploy/lab-nats.js';
import { startInfluxV1, waitFor, type InfluxV1Handle } from '../harness/index.js';
import { logPathOf } from '../harness/server-control.js';
import { storedInInflux } from '../pipeline/readback.js';
import { killAll, startService, type ServiceProcess } from '../pipeline/service-process.js';
import { connectAs, INBOX, LAB_NATS_ENV } from './nats-users.js';

const LAB_PCAP = join(REPO, 'samples/lab.pcap');
const DATABASE = 'wirewatch';
const SECRET = 'webhook-secret-for-the-security-tests';
const TOKEN = 'security-test-token-0123456789';

let bundle: string;
let dir: string;
let nats: LabNats;
let influx: InfluxV1Handle;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let collector: ServiceProcess;
let alerter: ServiceProcess;
const made: Record<string, { stanza: string; seedFile: string; stderr: string }> = {};

/** `wirewatch credentials sensor ID --out DIR`, as an operator runs it. */
function credentials(id: string, out = 'keys') {
  const run = spawnSync(process.execPath, [bundle, 'credentials', 'sensor', id, '--out', join(dir, out)], {
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  const seedFile = join(dir, out, `${id}.nk`);
  return { stanza: run.stdout, seedFile, stderr: run.stderr };
}

function sensor(id: string, seedFile: string, env: Record<string, string> = {}): ServiceProcess {
  return startService(
    bundle,
    [
      'sensor',
      '--nats',
      nats.url,
      '--id',
      id,
      '--pcap',
      LAB_PCAP,
      '--speed',
      'max',
      '--spool-dir',
      join(dir, `spool-${id}-${Date.now()}`),
      '--http-port',
      '0',
      '--http-host',
      '127.0.0.1',
    ],
    {
      WIREWATCH_NATS_NKEY_SEED_FILE: seedFile,
      ...env,
    },
  );
}

const violations = () =>
  readFileSync(logPathOf(nats.dir), 'utf8')
    .split('\n')
    .filter((l) => /Violation/.test(l));

beforeAll(async () => {
  bundle = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-identity-'));
  for (const id of ['edge-a', 'edge-b']) made[id] = credentials(id);
  [nats, influx, hook] = await Promise.all([
    startLabNats(
      'nats.conf',
      LAB_NATS_ENV,
      undefined,
      Object.values(made).map((m) => m.stanza),
    ),
    startInfluxV1(),
    startWebhookReceiver(SECRET),
  ]);
  await influx.createDatabase(DATABASE);
  writeFileSync(join(dir, 'hook-secret'), `${SECRET}\n`);
  writeFileSync(
    join(dir, 'rules.yaml'),
    `rules:
  - name: any-traffic
    kind: threshold
    severity: info
    group_by: [sensor]
    metric: bytes_per_second
    aggregate: max
    window: 1s
    above: 1
    receivers: [hook]
`,
  );
  writeFileSync(
    join(dir, 'alerter.yaml'),
    `rules: ${join(dir, 'rules.yaml')}\nreceivers:\n  - name: hook\n    webhook: { url: "${hook.url}", secretFile: "${join(dir, 'hook-secret')}", timeoutMs: 2000 }\n`,
  );
  const common = ['--nats', nats.url, '--http-port', '0', '--http-host', '127.0.0.1'];
  const as = (user: 'collector' | 'alerter') => ({
    WIREWATCH_NATS_USER: user,
    WIREWATCH_NATS_PASSWORD: LAB_NATS_ENV[`NATS_${user.toUpperCase()}_PASSWORD`],
    WIREWATCH_NATS_INBOX_PREFIX: INBOX[user],
  });
  collector = startService(
    bundle,
    ['collector', ...common, '--influx-url', influx.url, '--influx-api', 'v1', '--influx-db', DATABASE],
    as('collector'),
  );
  alerter = startService(bundle, ['alerter', '-c', join(dir, 'alerter.yaml'), ...common], {
    ...as('alerter'),
    WIREWATCH_API_TOKEN: TOKEN,
  });
  await Promise.all([collector.ready(), alerter.ready()]);
}, 90_000);

afterAll(async () => {
  await Promise.allSettled([collector?.stop(), alerter?.stop()]);
  await killAll();
  await Promise.allSettled([nats?.server.dispose(), influx?.dispose(), hook?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('`wirewatch credentials sensor ID`', () => {
  it("writes the seed (mode 0600) and prints an NKey entry allowed exactly that sensor's two subjects and its own inbox, for the SENSORS account", () => {
    const { stanza, seedFile, stderr } = made['edge-a'];
    expect(statSync(seedFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(seedFile, 'utf8')).toMatch(/^SU[A-Z2-7]{56}\n$/);
    expect(stanza).toMatch(/nkey: U[A-Z2-7]{55}\n/);
    expect(stanza).toContain('publish: { allow: ["wirewatch.v1.summary.edge-a", "wirewatch.v1.heartbeat.edge-a"] }');
    expect(stanza).toContain('subscribe: { allow: ["_INBOX.sensor.edge-a.>"] }');
    // where it goes: the SENSORS account (the server of this file put it there, see accountOf)
    expect(stanza).toMatch(/^# sensor edge-a: in the users of the SENSORS account;/);
    expect(stderr).toContain('the entry above goes into the users of the SENSORS account');
    expect(accountOf(stanza)).toBe('SENSORS');
    // the seed is a secret: it is in the file only
    expect(stanza).not.toContain(readFileSync(seedFile, 'utf8').trim());
  });

  it('refuses to overwrite a seed, and a sensor id that is not a subject token, in one line with exit 2', () => {
    const again = spawnSync(process.execPath, [bundle, 'credentials', 'sensor', 'edge-a', '--out', join(dir, 'keys')], {
      encoding: 'utf8',
    });
    expect(again.status).toBe(2);
    expect(again.stderr.trim()).toMatch(/^wirewatch: .*edge-a\.nk exists; to rotate, move it away first/);
    const bad = spawnSync(process.execPath, [bundle, 'credentials', 'sensor', 'edge.*', '--out', join(dir, 'keys')], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the pipeline with least-privilege users', () => {
  it.skipIf(!hasDockerCompose())('uses the inbox prefixes the compose lab gives its collector and alerter', () => {
    const services = composeConfig(['docker-compose.yml', 'docker-compose.cluster.yml']).services;
    for (const name of ['collector', 'collector-2'])
      expect(services[name].environment.WIREWATCH_NATS_INBOX_PREFIX, name).toBe(INBOX.collector);
    expect(services.alerter.environment.WIREWATCH_NATS_INBOX_PREFIX).toBe(INBOX.alerter);
  });

  it('a sensor with its own NKey replays the lab capture into influxd through the collector, the alerter fires on it; no permission violation anywhere', async () => {
    const edgeA = sensor('edge-a', made['edge-a'].seedFile);
    expect(await edgeA.exited, edgeA.stderr()).toBe(0);
    const { report } = analyzeCaptureFile(LAB_PCAP, { intervalSeconds: 1, topN: 10, topFlows: 0 });
    await waitFor(async () => (await storedInInflux(influx, DATABASE, 'edge-a')).packets === report.packets, {
      what: `${report.packets} packets of edge-a in influxd`,
      timeoutMs: 30_000,
    });
    await waitFor(
      () =>
        hook.received.some(
          (h) => h.body.rule === 'any-traffic' && h.body.state === 'firing' && h.body.labels.sensor === 'edge-a',
        ),
      { what: 'the alerter firing any-traffic for edge-a', timeoutMs: 30_000 },
    );
    expect(hook.received.every((h) => h.signatureValid)).toBe(true);
    expect(await collector.metric('wirewatch_collector_rejected_total')).toBe(0);
    expect(await alerter.metric('wirewatch_alerter_state_save_failures_total')).toBe(0);
    // The alerter published the transition (JetStream) and kept its state in its KV bucket.
    const op = await connectAs(nats.url, 'operator');
    try {
      const jsm = await jetstreamManager(op.nc);
      const subjects =
        (await jsm.streams.info('WIREWATCH', { subjects_filter: 'wirewatch.v1.alert.>' })).state.subjects ?? {};
      expect(subjects['wirewatch.v1.alert.any-traffic']).toBeGreaterThan(0);
      await waitFor(async () => (await jsm.streams.info('KV_wirewatch_alerter')).state.messages > 0, {
        what: "the alerter's state saved",
        timeoutMs: 10_000,
      });
    } finally {
      await op.nc.close();
    }
    expect(violations()).toEqual([]);
  }, 90_000);
});

describe('one identity per sensor', () => {
  it("sensor A's credential cannot publish as sensor B: the sensor says so and nothing of B is stored", async () => {
    // With A's inbox, so that its acks could arrive: only the publish itself is left to refuse.
    const forged = sensor('edge-b', made['edge-a'].seedFile, { WIREWATCH_NATS_INBOX_PREFIX: '_INBOX.sensor.edge-a' });
    await waitFor(() => forged.logs.some((l) => l.msg === 'JetStream publish failing; summaries wait in the spool'), {
      what: 'the refused publish reported',
      timeoutMs: 20_000,
    });
    const failing = forged.logs.find((l) => l.msg === 'JetStream publish failing; summaries wait in the spool')!;
    expect(String(failing.detail)).toMatch(/permissions violation for publish to "wirewatch\.v1\.summary\.edge-b"/i);
    await forged.kill();
    expect(violations().some((l) => l.includes('"wirewatch.v1.summary.edge-b"'))).toBe(true);
    const op = await connectAs(nats.url, 'operator');
    try {
      const info = await (
        await jetstreamManager(op.nc)
      ).streams.info('WIREWATCH', { subjects_filter: 'wirewatch.v1.*.edge-b' });
      expect(info.state.subjects ?? {}).toEqual({});
    } finally {
      await op.nc.close();
    }
    expect((await storedInInflux(influx, DATABASE, 'edge-b')).packets).toBe(0);
  }, 60_000);

  it("with B's own credential, B's replay arrives, even told to manage the streams (which it may not: it says so and publishes)", async () => {
    const edgeB = sensor('edge-b', made['edge-b'].seedFile, { WIREWATCH_NATS_MANAGE_STREAMS: 'true' });
    expect(await edgeB.exited, edgeB.stderr()).toBe(0);
    const refused = edgeB.logs.find(
      (l) => l.msg === 'could not create or update the JetStream stream; publishing anyway',
    );
    expect(String(refused?.err)).toMatch(/permissions violation/i);
    const { report } = analyzeCaptureFile(LAB_PCAP, { intervalSeconds: 1, topN: 10, topFlows: 0 });
    await waitFor(async () => (await storedInInflux(influx, DATABASE, 'edge-b')).packets === report.packets, {
      what: `${report.packets} packets of edge-b`,
      timeoutMs: 30_000,
    });
  }, 60_000);

  it("revoking B (its entry removed, the server reloaded) closes B's connection and refuses B's next one; A still connects", async () => {
    const seed = (id: string) => new TextEncoder().encode(readFileSync(made[id].seedFile, 'utf8').trim());
    const connected = await connect({
      servers: nats.url,
      authenticator: nkeyAuthenticator(seed('edge-b')),
      inboxPrefix: '_INBOX.sensor.edge-b',
      maxReconnectAttempts: 0,
    });
    const closed = connected.closed();

    await reloadLabNats(nats, [made['edge-a'].stanza]);

    await expect(connect({ servers: nats.url, authenticator: nkeyAuthenticator(seed('edge-b')) })).rejects.toThrow(
      /authorization violation/i,
    );
    await closed;
    expect(connected.isClosed()).toBe(true);
    const a = await connect({
      servers: nats.url,
      authenticator: nkeyAuthenticator(seed('edge-a')),
      inboxPrefix: '_INBOX.sensor.edge-a',
    });
    await a.close();
    // The sensor process with the revoked seed cannot get in, and says why.
    const revoked = sensor('edge-b', made['edge-b'].seedFile);
    await waitFor(() => revoked.logs.some((l) => l.msg === 'cannot connect to NATS yet; retrying'), {
      what: 'the revoked sensor refused',
      timeoutMs: 20_000,
    });
    expect(String(revoked.logs.find((l) => l.msg === 'cannot connect to NATS yet; retrying')!.err)).toMatch(
      /authorization violation/i,
    );
    await revoked.kill();
  }, 60_000);

  it('adding a host and rotating a key are reloads too: the new entry works at once, the old key stops when its entry goes', async () => {
    const seed = (file: string) => new TextEncoder().encode(readFileSync(file, 'utf8').trim());
    const edgeC = credentials('edge-c');
    const rotatedA = credentials('edge-a', 'keys-rotated');
    const oldA = made['edge-a'];
    // Both keys of edge-a side by side while the host moves to the new seed, and the new host.
    await reloadLabNats(nats, [oldA.stanza, rotatedA.stanza, edgeC.stanza]);
    for (const file of [edgeC.seedFile, rotatedA.seedFile, oldA.seedFile])
      await (await connect({ servers: nats.url, authenticator: nkeyAuthenticator(seed(file)) })).close();
    const moved = sensor('edge-a', rotatedA.seedFile);
    expect(await moved.exited, moved.stderr()).toBe(0);
    // The old key's entry removed: it is refused, the rotated one is not.
    await reloadLabNats(nats, [rotatedA.stanza, edgeC.stanza]);
    await expect(connect({ servers: nats.url, authenticator: nkeyAuthenticator(seed(oldA.seedFile)) })).rejects.toThrow(
      /authorization violation/i,
    );
    await (await connect({ servers: nats.url, authenticator: nkeyAuthenticator(seed(rotatedA.seedFile)) })).close();
  }, 60_000);
});
