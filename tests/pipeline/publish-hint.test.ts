import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { ROOT } from '../corpus/corpus.js';
import { startLabNats, type LabNats } from '../deploy/lab-nats.js';
import { startNats, waitFor, type NatsHandle } from '../harness/index.js';
import { LAB_NATS_ENV } from '../security/nats-users.js';
import { killAll, startService } from './service-process.js';

let nats: NatsHandle;
let lab: LabNats;
let bundle: string;
let dir: string;

beforeAll(async () => {
  [bundle, nats, lab] = await Promise.all([buildCli(), startNats(), startLabNats('nats.conf', LAB_NATS_ENV)]);
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-hint-'));
}, 60_000);

afterAll(async () => {
  await killAll();
  await Promise.allSettled([nats?.dispose(), lab?.server.dispose()]);
  rmSync(dir, { recursive: true, force: true });
});

function sensorOn(url: string, id: string, env: Record<string, string>) {
  return startService(
    bundle,
    [
      'sensor',
      '--id',
      id,
      '--pcap',
      join(ROOT, 'samples/lab.pcap'),
      '--speed',
      'max',
      '--nats',
      url,
      '--spool-dir',
      join(dir, `spool-${id}`),
      '--http-port',
      '0',
      '--http-host',
      '127.0.0.1',
    ],
    env,
  );
}

describe('a sensor publishing where no stream takes its subject', () => {
  it('keeps its summaries spooled and says what is missing, not only "jetstream is not enabled"', async () => {
    const sensor = sensorOn(nats.url, 'hint', { WIREWATCH_NATS_MANAGE_STREAMS: 'false' });
    const failing = () => sensor.logs.find((l) => l.msg === 'JetStream publish failing; summaries wait in the spool');
    await waitFor(() => failing() !== undefined, { what: 'the publish failure logged', timeoutMs: 20_000 });
    expect(failing()).toMatchObject({
      detail: 'jetstream is not enabled',
      hint: expect.stringMatching(/^no JetStream stream takes this subject: start a collector or the alerter/),
    });
    expect(await sensor.metric('wirewatch_sensor_spool_records')).toBeGreaterThan(0);
    await sensor.kill();
  }, 40_000);

  it('in the shipped SENSORS account hears a timeout instead, and the hint names both causes a timeout may have', async () => {
    // Before any collector or alerter made the streams: the lab's sensor user, as docker-compose.yml runs it.
    const sensor = sensorOn(lab.url, 'lab', {
      WIREWATCH_NATS_USER: 'sensor',
      WIREWATCH_NATS_PASSWORD: LAB_NATS_ENV.NATS_SENSOR_PASSWORD,
    });
    const failing = () => sensor.logs.find((l) => l.msg === 'JetStream publish failing; summaries wait in the spool');
    await waitFor(() => failing() !== undefined, { what: 'the publish failure logged', timeoutMs: 30_000 });
    expect(failing()).toMatchObject({
      detail: 'timeout',
      hint: expect.stringMatching(
        /^JetStream did not acknowledge in time: either no stream takes this subject yet \(start a collector or the alerter.*\), or JetStream is slow or unavailable$/,
      ),
    });
    expect(await sensor.metric('wirewatch_sensor_spool_records')).toBeGreaterThan(0);
    await sensor.kill();
  }, 40_000);
});
