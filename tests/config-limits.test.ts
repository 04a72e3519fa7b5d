/**
 * Settings whose bounds a lower layer enforces take them from that layer: what a service's config
 * accepts, the layer below accepts too, and what that layer refuses, the config refuses at start (one
 * line, exit 2) instead of the service failing later. Each case checks the config against the layer
 * itself, not against a copied number.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureError, LiveCapture, MAX_KERNEL_BUFFER_MB, MAX_SNAPLEN, MIN_KERNEL_BUFFER_MB } from '@wirewatch/capture';
import {
  deadLetterSubject,
  SKETCH_MAX_CAPACITY,
  SKETCH_MAX_PRECISION,
  SKETCH_MIN_PRECISION,
} from '@wirewatch/protocol';
import { Spool } from '@wirewatch/spool';
import { buildCli } from '../scripts/build-cli.mjs';
import { alerterConfigSchema } from '@wirewatch/alerter';
import { collectorConfigSchema } from '@wirewatch/collector';
import { sensorConfigSchema } from '@wirewatch/sensor';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const sensor = (more: object) =>
  sensorConfigSchema.safeParse({ id: 'edge-1', capture: { interfaces: ['lo'] }, ...more });
const issuesOf = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  (result.error?.issues ?? []).map((i) => i.path.join('.'));
const accepts = (result: Parameters<typeof issuesOf>[0], path: string) => !issuesOf(result).includes(path);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-config-limits-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function liveCaptureTakes(options: { bufferSizeMb?: number; snaplen?: number }): boolean {
  try {
    new LiveCapture({ device: 'lo', ...options }); // checks its options; opens nothing until run()
    return true;
  } catch (error) {
    if (error instanceof CaptureError) return false;
    throw error;
  }
}

describe('sensor settings against live capture', () => {
  it('capture.bufferMb: the config accepts a kernel buffer exactly when live capture does', () => {
    for (const mb of [
      MIN_KERNEL_BUFFER_MB - 1,
      MIN_KERNEL_BUFFER_MB,
      64,
      MAX_KERNEL_BUFFER_MB,
      MAX_KERNEL_BUFFER_MB + 1,
      4096,
    ]) {
      expect(accepts(sensor({ capture: { interfaces: ['lo'], bufferMb: mb } }), 'capture.bufferMb'), `${mb} MiB`).toBe(
        liveCaptureTakes({ bufferSizeMb: mb }),
      );
    }
  });

  it("capture.snaplen: up to libpcap's maximum, which live capture keeps whole (it cuts anything above to it)", () => {
    expect(sensor({}).data?.capture.snaplen).toBe(MAX_SNAPLEN);
    expect(accepts(sensor({ capture: { interfaces: ['lo'], snaplen: MAX_SNAPLEN } }), 'capture.snaplen')).toBe(true);
    expect(accepts(sensor({ capture: { interfaces: ['lo'], snaplen: MAX_SNAPLEN + 1 } }), 'capture.snaplen')).toBe(
      false,
    );
    for (const snaplen of [64, MAX_SNAPLEN]) expect(liveCaptureTakes({ snaplen }), `${snaplen}`).toBe(true);
  });

  it('refuses a kernel buffer live capture cannot take with one config line and exit 2, before starting', async () => {
    const bundle = await buildCli();
    const tooBig = String(MAX_KERNEL_BUFFER_MB + 1);
    const runs = [
      {
        args: ['--buffer-mb', tooBig],
        env: {},
        line: `wirewatch: --buffer-mb capture.bufferMb: Too big: expected number to be <=${MAX_KERNEL_BUFFER_MB}`,
      },
      {
        args: [],
        env: { WIREWATCH_CAPTURE_BUFFER_MB: tooBig },
        line: `wirewatch: WIREWATCH_CAPTURE_BUFFER_MB capture.bufferMb: Too big: expected number to be <=${MAX_KERNEL_BUFFER_MB}`,
      },
    ];
    for (const run of runs) {
      const child = spawnSync(
        process.execPath,
        [bundle, 'sensor', '--interface', 'lo', '--http-port', '0', ...run.args],
        {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 15_000,
          env: {
            ...process.env,
            ...run.env,
            WIREWATCH_LOG_LEVEL: 'silent',
            WIREWATCH_NATS_SERVERS: 'nats://127.0.0.1:1',
          },
        },
      );
      expect(child.status, child.stderr).toBe(2);
      expect(child.stderr).toBe(`${run.line}\n`);
    }
  });
});

describe('sensor settings against the spool', () => {
  it('spool.maxMegabytes: the config accepts a size exactly when the spool takes it as bytes', async () => {
    for (const mb of [512, 0.5, 1 / 1024 ** 2, 1.3, 0.1, 2 ** 33, 2 ** 34]) {
      let spoolTakes = true;
      try {
        await Spool.open(mkdtempSync(join(dir, 'spool-')), { maxBytes: mb * 1024 * 1024 }); // the sensor's conversion (sensor.ts)
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        spoolTakes = false;
      }
      expect(accepts(sensor({ spool: { maxMegabytes: mb } }), 'spool.maxMegabytes'), `${mb} MiB`).toBe(spoolTakes);
    }
  });
});

describe("every service's http.port against Node", () => {
  /** Whether Node's listen() takes `port` (a bind failure such as EADDRINUSE still means it took the number). */
  async function nodeListensOn(port: number): Promise<boolean> {
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host: '127.0.0.1' }, resolve);
      });
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code !== 'ERR_SOCKET_BAD_PORT';
    } finally {
      server.close();
    }
  }

  it('accepts the ports Node listens on, and only those', async () => {
    for (const port of [-1, 0, 65535, 65536, 1.5]) {
      const node = await nodeListensOn(port);
      expect(accepts(sensor({ http: { port } }), 'http.port'), `sensor ${port}`).toBe(node);
      expect(accepts(collectorConfigSchema.safeParse({ http: { port } }), 'http.port'), `collector ${port}`).toBe(node);
      expect(accepts(alerterConfigSchema.safeParse({ http: { port } }), 'http.port'), `alerter ${port}`).toBe(node);
    }
  });
});

describe("sketch sizes: sensor, collector and the consumers' limits", () => {
  it('the collector can be told exactly the shapes a sensor can be configured with, all within what consumers accept', () => {
    for (const capacity of [1, 15, 16, 512, SKETCH_MAX_CAPACITY, SKETCH_MAX_CAPACITY + 1]) {
      for (const precision of [
        SKETCH_MIN_PRECISION - 1,
        SKETCH_MIN_PRECISION,
        12,
        SKETCH_MAX_PRECISION,
        SKETCH_MAX_PRECISION + 1,
      ]) {
        const sensorTakes = sensor({ sketch: { capacity, precision } }).success;
        expect(
          collectorConfigSchema.safeParse({ fleet: { sketch: { capacity, precision } } }).success,
          `${capacity}/${precision}`,
        ).toBe(sensorTakes);
        if (sensorTakes) {
          expect(capacity).toBeLessThanOrEqual(SKETCH_MAX_CAPACITY);
          expect(precision).toBeGreaterThanOrEqual(SKETCH_MIN_PRECISION);
          expect(precision).toBeLessThanOrEqual(SKETCH_MAX_PRECISION);
        }
      }
    }
  });
});

describe('consumer names against the dead-letter subjects', () => {
  it('every durable name a service accepts is one its rejected messages can be copied under', () => {
    const settings = [
      (name: string) => collectorConfigSchema.safeParse({ consumer: { summaries: name } }).success,
      (name: string) => collectorConfigSchema.safeParse({ consumer: { heartbeats: name } }).success,
      (name: string) => collectorConfigSchema.safeParse({ fleet: { consumer: name } }).success,
      (name: string) => alerterConfigSchema.safeParse({ consumer: { summaries: name } }).success,
      (name: string) => alerterConfigSchema.safeParse({ consumer: { heartbeats: name } }).success,
    ];
    for (const name of ['collector-summaries', 'a_b-9', 'x'.repeat(64), 'x'.repeat(65), '', 'a.b', 'a>', 'a*', 'a b']) {
      const subjectTakes = (() => {
        try {
          deadLetterSubject(name);
          return true;
        } catch {
          return false;
        }
      })();
      for (const takes of settings) expect(takes(name), name).toBe(subjectTakes);
    }
  });
});
