/** The writer against real servers: influxd 1.6 (v1 API) and victoria-metrics (v2 API). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  influxRows,
  startInfluxV1,
  startVictoriaMetrics,
  waitFor,
  type InfluxV1Handle,
  type VictoriaHandle,
} from '../../../tests/harness/index.js';
import { createInfluxWriter, type InfluxWriter } from './influx-writer.js';
import { InfluxWriteError } from './write-errors.js';
import type { RetryEvent } from './writer-options.js';

/** 1995-05-09T06:13:20Z: test captures carry timestamps this old. */
const T0 = 800_000_000_000;
const FAST_RETRIES = { minRetryDelayMs: 10, maxRetryDelayMs: 100 };

const trafficLines = (sensor: string, count: number) =>
  Array.from(
    { length: count },
    (_, i) => `traffic,sensor=${sensor} packets=${i}i,top="10.0.0.${i % 256}" ${T0 + i * 1_000}`,
  );

async function listen(server: Server): Promise<string> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

async function closeServer(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}

async function rejection(promise: Promise<unknown>): Promise<InfluxWriteError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InfluxWriteError);
  return error as InfluxWriteError;
}

describe('v1 API: influxd 1.6', () => {
  let influx: InfluxV1Handle;
  const writers: InfluxWriter[] = [];
  const writer = (options: Partial<Parameters<typeof createInfluxWriter>[0]> = {}) => {
    const created = createInfluxWriter({ url: influx.url, database: 'wirewatch', ...FAST_RETRIES, ...options });
    writers.push(created);
    return created;
  };
  const countIn = async (db: string, sensor: string) => {
    const rows = influxRows(await influx.query(`SELECT count(packets) FROM traffic WHERE sensor = '${sensor}'`, db));
    return Number(rows[0]?.count ?? 0);
  };

  beforeAll(async () => {
    influx = await startInfluxV1();
    await influx.createDatabase('wirewatch');
  });
  afterAll(async () => {
    await Promise.all(writers.map((w) => w.close()));
    await influx?.dispose();
  });

  it('detects v1 (auto) and writes lines readable with InfluxQL, millisecond timestamps intact', async () => {
    const w = writer();
    await w.write(trafficLines('a', 3));
    expect(w.stats).toMatchObject({ api: 'v1', batchesWritten: 1, pointsWritten: 3, failedAttempts: 0, retries: 0 });
    expect(w.stats.lastLatencyMs).toBeGreaterThan(0);
    const rows = influxRows(
      await influx.query(`SELECT packets, top FROM traffic WHERE sensor = 'a' ORDER BY time`, 'wirewatch'),
    );
    expect(rows).toEqual(
      [0, 1, 2].map((i) => ({ measurement: 'traffic', time: T0 + i * 1_000, packets: i, top: `10.0.0.${i}` })),
    );
  });

  it('takes a large (gzipped) batch whole', async () => {
    const lines = trafficLines('gz', 2_000);
    expect(lines.join('\n').length).toBeGreaterThan(16_384);
    await writer({ api: 'v1' }).write(lines);
    expect(await countIn('wirewatch', 'gz')).toBe(2_000);
  });

  it('rejects a malformed line at once, naming it, and does not retry', async () => {
    const w = writer({ api: 'v1' });
    const error = await rejection(
      w.write([
        `traffic,sensor=bad packets=1i ${T0}`,
        'traffic,sensor=bad packets=',
        `traffic,sensor=bad packets=3i ${T0 + 2}`,
      ]),
    );
    expect(error).toMatchObject({ kind: 'bad-data', status: 400, lineNumber: 2 });
    expect(error.message).toMatch(/^InfluxDB rejected line 2 of 3 as bad data: .+: traffic,sensor=bad packets=$/);
    expect(w.stats).toMatchObject({
      failedAttempts: 1,
      retries: 0,
      batchesRejected: 1,
      pointsRejected: 3,
      batchesWritten: 0,
    });
    // InfluxDB 1.x stores the valid lines of a partly bad batch.
    expect(await countIn('wirewatch', 'bad')).toBe(2);
  });

  it('rejects a database that does not exist, and the v2 API that 1.6 lacks', async () => {
    const missing = await rejection(writer({ api: 'v1', database: 'nope' }).write(trafficLines('x', 1)));
    expect(missing).toMatchObject({ kind: 'not-found', status: 404 });
    expect(missing.message).toMatch(
      /\(database nope\) has no such database or bucket \(HTTP 404\): database not found: "nope"/,
    );
    const v2 = await rejection(writer({ api: 'v2' }).write(trafficLines('x', 1)));
    expect(v2.message).toMatch(/does not serve \/api\/v2\/write .* need the v1 API$/);
  });

  it("counts failed attempts in a row until a write is accepted, malformed lines aside (the collector's readiness)", async () => {
    const w = writer({ api: 'v1', database: 'streak' });
    await rejection(w.write(trafficLines('streak', 1)));
    await rejection(w.write(trafficLines('streak', 1)));
    expect(w.stats).toMatchObject({ consecutiveFailures: 2, lastSuccessAt: undefined });
    expect(w.stats.lastFailureAt).toBeGreaterThan(0);
    await influx.createDatabase('streak');
    // Bad data: the server works, so the streak neither grows nor ends.
    await rejection(w.write(['traffic,sensor=streak packets=']));
    expect(w.stats.consecutiveFailures).toBe(2);
    await w.write(trafficLines('streak', 1));
    expect(w.stats.consecutiveFailures).toBe(0);
    expect(w.stats.lastSuccessAt).toBeGreaterThanOrEqual(w.stats.lastFailureAt!);
  });

  it('keeps retrying while influxd is down and resolves once it is back', async () => {
    const retries: RetryEvent[] = [];
    const w = writer({ api: 'v1', onRetry: (event) => retries.push(event) });
    await influx.stop();
    const writing = w.write(trafficLines('outage', 5));
    await waitFor(() => w.stats.retries > 0, { what: 'the writer to retry while influxd is down' });
    expect(w.stats.lastError).toMatch(
      /^cannot reach InfluxDB at http:\/\/127\.0\.0\.1:\d+ \(database wirewatch\): .*ECONNREFUSED/,
    );
    expect(retries[0]).toMatchObject({ failedAttempts: 1, lines: 5 });
    await influx.start();
    await writing;
    expect(w.stats).toMatchObject({ batchesWritten: 1, pointsWritten: 5 });
    expect(w.stats.failedAttempts).toBeGreaterThan(0);
    expect(await countIn('wirewatch', 'outage')).toBe(5);
  });

  it('close() abandons a write still retrying; an AbortSignal abandons one write', async () => {
    const w = writer({ api: 'v1', database: 'wirewatch', url: `http://127.0.0.1:${await freePort()}` });
    const controller = new AbortController();
    const aborted = w.write(trafficLines('never', 1), { signal: controller.signal });
    const closed = w.write(trafficLines('never', 1));
    await waitFor(() => w.stats.retries >= 2, { what: 'both writes to retry' });
    controller.abort();
    expect(await rejection(aborted)).toMatchObject({
      kind: 'aborted',
      message: 'the write was aborted before the server accepted it',
    });
    expect(w.stats.pendingBatches).toBe(1);
    await w.close();
    expect(await rejection(closed)).toMatchObject({
      kind: 'aborted',
      message: 'the InfluxDB writer was closed before the server accepted the write',
    });
    expect(w.stats).toMatchObject({ batchesAborted: 2, pendingBatches: 0, batchesWritten: 0 });
    expect(await rejection(w.write(trafficLines('late', 1)))).toMatchObject({ kind: 'aborted' });
  });
});

describe('v1 API with authentication', () => {
  let influx: InfluxV1Handle;
  beforeAll(async () => {
    influx = await startInfluxV1({ auth: { username: 'admin', password: "it's secret" } });
    await influx.createDatabase('wirewatch');
  });
  afterAll(() => influx?.dispose());

  it('refuses wrong credentials clearly and writes with the right ones', async () => {
    const wrong = createInfluxWriter({
      url: influx.url,
      api: 'v1',
      database: 'wirewatch',
      username: 'admin',
      password: 'guess',
    });
    expect(await rejection(wrong.write(trafficLines('auth', 1)))).toMatchObject({ kind: 'auth', status: 401 });
    expect(wrong.stats.retries).toBe(0);
    const right = createInfluxWriter({
      url: influx.url,
      api: 'v1',
      database: 'wirewatch',
      username: 'admin',
      password: "it's secret",
    });
    await right.write(trafficLines('auth', 2));
    expect(influxRows(await influx.query(`SELECT count(packets) FROM traffic`, 'wirewatch'))[0]?.count).toBe(2);
  });
});

describe('v2 API: victoria-metrics', () => {
  let vm: VictoriaHandle;
  let flaky: Server | undefined;
  let silent: Server | undefined;
  beforeAll(async () => {
    vm = await startVictoriaMetrics();
  });
  afterAll(async () => {
    await Promise.all([closeServer(flaky), closeServer(silent)]);
    await vm?.dispose();
  });

  const exported = async (sensor: string) =>
    (await vm.export(`{__name__="traffic_packets",sensor="${sensor}"}`)).map(({ values, timestamps }) => ({
      values,
      timestamps,
    }));

  it('detects v2 (auto) and writes lines readable from the export API', async () => {
    const w = createInfluxWriter({ url: vm.url, bucket: 'wirewatch', org: 'lab' });
    await w.write(trafficLines('vm', 3));
    expect(w.stats).toMatchObject({ api: 'v2', batchesWritten: 1, pointsWritten: 3 });
    expect(await exported('vm')).toEqual([{ values: [0, 1, 2], timestamps: [T0, T0 + 1_000, T0 + 2_000] }]);
  });

  it('detects the API and writes once the server comes back', async () => {
    await vm.stop();
    const w = createInfluxWriter({ url: vm.url, bucket: 'wirewatch', ...FAST_RETRIES });
    const writing = w.write(trafficLines('vm-outage', 2));
    await waitFor(() => w.stats.retries > 0, { what: 'the writer to retry while victoria-metrics is down' });
    expect(w.stats.api).toBeUndefined();
    expect(w.stats.lastError).toMatch(/^cannot reach InfluxDB at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    await vm.start();
    await writing;
    expect(w.stats.api).toBe('v2');
    expect((await exported('vm-outage'))[0]?.values).toEqual([0, 1]);
  });

  it('honours Retry-After on 429, and sends large batches gzipped', async () => {
    let requests = 0;
    const encodings: (string | undefined)[] = [];
    const proxy = async (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      encodings.push(request.headers['content-encoding']);
      if (requests++ === 0) return void response.writeHead(429, { 'retry-after': '1' }).end('slow down');
      const headers: Record<string, string> = { 'content-type': String(request.headers['content-type']) };
      if (request.headers['content-encoding'])
        headers['content-encoding'] = String(request.headers['content-encoding']);
      const upstream = await fetch(`${vm.url}${request.url}`, { method: 'POST', headers, body: Buffer.concat(chunks) });
      response.writeHead(upstream.status).end(await upstream.text());
    };
    // A failed proxy step answers 502 with its cause, which the writer's retry reason (asserted below) shows.
    flaky = createServer((request, response) => {
      proxy(request, response).catch((error: unknown) => {
        if (response.headersSent) response.destroy();
        else response.writeHead(502).end(`proxy to victoria-metrics failed: ${String(error)}`);
      });
    });
    const retries: RetryEvent[] = [];
    const w = createInfluxWriter({
      url: await listen(flaky),
      api: 'v2',
      bucket: 'wirewatch',
      ...FAST_RETRIES,
      onRetry: (e) => retries.push(e),
    });
    const started = Date.now();
    await w.write(trafficLines('vm-429', 1));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(retries).toEqual([
      { reason: expect.stringMatching(/answered HTTP 429: slow down$/), failedAttempts: 1, delayMs: 1_000, lines: 1 },
    ]);
    expect(await exported('vm-429')).toHaveLength(1);

    await w.write(trafficLines('vm-gz', 2_000));
    expect(encodings).toEqual([undefined, undefined, 'gzip']);
    expect((await exported('vm-gz'))[0]?.values).toHaveLength(2_000);
  });

  it('retries a server that does not answer within timeoutMs', async () => {
    silent = createServer(() => {});
    const w = createInfluxWriter({
      url: await listen(silent),
      api: 'v2',
      bucket: 'wirewatch',
      timeoutMs: 100,
      ...FAST_RETRIES,
    });
    const writing = w.write(trafficLines('silent', 1));
    await waitFor(() => w.stats.failedAttempts >= 2, { what: 'two timed-out attempts' });
    expect(w.stats.lastError).toMatch(
      /^no answer from InfluxDB at http:\/\/127\.0\.0\.1:\d+ \(bucket wirewatch\) within 100 ms$/,
    );
    await w.close();
    expect(await rejection(writing)).toMatchObject({ kind: 'aborted' });
  });
});

describe('options', () => {
  it('refuses impossible settings with one line', () => {
    expect(() => createInfluxWriter({ url: 'influx:8086', bucket: 'b' })).toThrow(
      'InfluxDB URL must be http:// or https://, got "influx:8086"',
    );
    expect(() => createInfluxWriter({ url: 'http://x' })).toThrow(
      'InfluxDB writer needs a bucket (v2) or a database (v1)',
    );
    expect(() => createInfluxWriter({ url: 'http://x', bucket: 'b', minRetryDelayMs: 0 })).toThrow(
      'InfluxDB minRetryDelayMs must be a positive number of milliseconds',
    );
    expect(() => createInfluxWriter({ url: 'http://x', bucket: 'b', api: 'v3' as never })).toThrow(
      'InfluxDB api must be v1, v2 or auto, got "v3"',
    );
  });
});
