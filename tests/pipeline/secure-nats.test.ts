import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { analyzeCaptureFile } from '@wirewatch/report';
import { ROOT } from '../corpus/corpus.js';
import { startInfluxV1, startNats, waitFor, type InfluxV1Handle, type NatsHandle } from '../harness/index.js';
import { storedInInflux } from './readback.js';
import { killAll, startService } from './service-process.js';

const PASSWORD = 'pa55-Word-that-must-never-be-logged';
const LAB = join(ROOT, 'samples/lab.pcap');

let bundle: string;
let nats: NatsHandle;
let influx: InfluxV1Handle;
let dir: string;

beforeAll(async () => {
  [bundle, nats, influx] = await Promise.all([
    buildCli(),
    startNats({ auth: { user: 'wirewatch', password: PASSWORD }, tls: true }),
    startInfluxV1(),
  ]);
  await influx.createDatabase('secure');
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-secure-'));
  writeFileSync(join(dir, 'nats-password'), `${PASSWORD}\n`);
}, 60_000);

afterAll(async () => {
  await killAll();
  await Promise.allSettled([nats?.dispose(), influx?.dispose()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('NATS with TLS and a password, end to end', () => {
  it('sensor and collector connect over TLS with the password from a file, and never log it', async () => {
    expect(nats.url.startsWith('tls://')).toBe(true);
    const secure = [
      '--nats',
      nats.url,
      '--nats-user',
      'wirewatch',
      '--nats-ca',
      nats.caFile!,
      '--http-port',
      '0',
      '--http-host',
      '127.0.0.1',
    ];
    const env = { WIREWATCH_NATS_PASSWORD_FILE: join(dir, 'nats-password'), WIREWATCH_LOG_LEVEL: 'debug' };
    const collector = startService(
      bundle,
      ['collector', ...secure, '--influx-url', influx.url, '--influx-api', 'v1', '--influx-db', 'secure'],
      env,
    );
    const sensor = startService(
      bundle,
      ['sensor', ...secure, '--id', 'secure', '--pcap', LAB, '--spool-dir', join(dir, 'spool')],
      env,
    );
    expect(await sensor.exited).toBe(0);
    const { report } = analyzeCaptureFile(LAB, { intervalSeconds: 1, topN: 10, topFlows: 0 });
    await waitFor(async () => (await storedInInflux(influx, 'secure', 'secure')).packets === report.packets, {
      what: 'the replay stored',
      timeoutMs: 20_000,
    });
    await collector.stop();
    for (const s of [sensor, collector]) {
      const everything = JSON.stringify(s.logs) + s.stderr();
      expect(everything).not.toContain(PASSWORD);
      expect(s.logs.length).toBeGreaterThan(3);
    }
  }, 60_000);

  it('a wrong password keeps the collector unready, says why in one line, and logs no secret', async () => {
    writeFileSync(join(dir, 'wrong'), 'not-the-password');
    const collector = startService(
      bundle,
      [
        'collector',
        '--nats',
        nats.url,
        '--nats-user',
        'wirewatch',
        '--nats-ca',
        nats.caFile!,
        '--http-port',
        '0',
        '--http-host',
        '127.0.0.1',
        '--influx-url',
        influx.url,
        '--influx-api',
        'v1',
      ],
      { WIREWATCH_NATS_PASSWORD_FILE: join(dir, 'wrong') },
    );
    const url = await collector.url();
    await waitFor(() => collector.logs.some((l) => l.msg === 'cannot connect to NATS yet; retrying'), {
      what: 'the failure logged',
    });
    const warnings = collector.logs.filter((l) => l.msg === 'cannot connect to NATS yet; retrying');
    expect(String(warnings[0].err)).toMatch(/authorization/i);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/not connected to NATS: .*authorization/i);
    expect(JSON.stringify(collector.logs)).not.toContain('not-the-password');
    await collector.stop();
  }, 60_000);
});
