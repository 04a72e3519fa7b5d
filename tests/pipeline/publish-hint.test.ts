import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { ROOT } from '../corpus/corpus.js';
import { startNats, waitFor, type NatsHandle } from '../harness/index.js';
import { killAll, startService } from './service-process.js';

let nats: NatsHandle;
let bundle: string;
let dir: string;

beforeAll(async () => {
  [bundle, nats] = await Promise.all([buildCli(), startNats()]);
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-hint-'));
}, 60_000);

afterAll(async () => {
  await killAll();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('a sensor publishing where no stream takes its subject', () => {
  it('keeps its summaries spooled and says what is missing, not only "jetstream is not enabled"', async () => {
    const sensor = startService(
      bundle,
      ['sensor', '--id', 'hint', '--pcap', join(ROOT, 'samples/lab.pcap'), '--speed', 'max', '--nats', nats.url, '--spool-dir', join(dir, 'spool'), '--http-port', '0', '--http-host', '127.0.0.1'],
      { WIREWATCH_NATS_MANAGE_STREAMS: 'false' },
    );
    const failing = () => sensor.logs.find((l) => l.msg === 'JetStream publish failing; summaries wait in the spool');
    await waitFor(() => failing() !== undefined, { what: 'the publish failure logged', timeoutMs: 20_000 });
    expect(failing()).toMatchObject({ detail: expect.stringMatching(/jetstream is not enabled|no responders/i), hint: expect.stringMatching(/no JetStream stream takes this subject/) });
    expect(await sensor.metric('wirewatch_sensor_spool_records')).toBeGreaterThan(0);
    await sensor.kill();
  }, 40_000);
});
