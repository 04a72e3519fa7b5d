import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startInfluxV1,
  startVictoriaMetrics,
  type InfluxV1Handle,
  type VictoriaHandle,
} from '../../../tests/harness/index.js';
import { apiForVersion, detectInfluxApi, InfluxUnreachableError } from './detect-api.js';

describe('apiForVersion', () => {
  it.each([
    ['1.6.7~rc0', 'v1'],
    ['1.7.11', 'v1'],
    ['1.8.0', 'v2'],
    ['1.8.10', 'v2'],
    ['v2.7.4', 'v2'],
    ['2.7.1', 'v2'],
    ['3.0.1', 'v2'],
    [undefined, 'v2'],
    ['', 'v2'],
  ] as const)('%s → %s', (version, api) => {
    expect(apiForVersion(version)).toBe(api);
  });
});

describe('detectInfluxApi against real servers', () => {
  let influx: InfluxV1Handle;
  let vm: VictoriaHandle;
  let other: Server;
  let otherUrl: string;
  beforeAll(async () => {
    [influx, vm] = await Promise.all([startInfluxV1(), startVictoriaMetrics()]);
    other = createServer((_request, response) => response.writeHead(404).end('no ping here'));
    const port = await freePort();
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    otherUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await Promise.all([influx?.dispose(), vm?.dispose(), new Promise((resolve) => other?.close(resolve))]);
  });

  it('influxd 1.6 speaks v1', async () => {
    expect(await detectInfluxApi(influx.url)).toBe('v1');
  });

  it('victoria-metrics answers /ping with a bare 204 (no version header) and takes v2', async () => {
    const ping = await fetch(`${vm.url}/ping`);
    expect([ping.status, ping.headers.get('x-influxdb-version')]).toEqual([204, null]);
    expect(await detectInfluxApi(`${vm.url}/`)).toBe('v2');
  });

  it('an unreachable server is one line naming the URL and the reason', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const failure = detectInfluxApi(url, { timeoutMs: 1_000 });
    await expect(failure).rejects.toThrow(new RegExp(`^cannot reach InfluxDB at ${url}: .*ECONNREFUSED`));
    await expect(failure).rejects.toBeInstanceOf(InfluxUnreachableError);
  });

  it('a web server that is not InfluxDB is refused', async () => {
    await expect(detectInfluxApi(otherUrl)).rejects.toThrow(
      `${otherUrl} is not an InfluxDB-compatible server: GET /ping answered HTTP 404`,
    );
  });

  it('a malformed URL is refused', async () => {
    await expect(detectInfluxApi('influx:8086')).rejects.toThrow(/cannot reach|invalid InfluxDB URL/);
  });
});
