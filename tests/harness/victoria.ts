import { join } from 'node:path';
import { answers, expectOk } from './http.js';
import { freePort } from './ports.js';
import { lifecycleOf, makeServerDir, startOrDispose, type ServerControl } from './server-control.js';
import { SpawnedServer } from './spawned-server.js';

/** One series from `/api/v1/export` (JSON lines): labels, values and millisecond timestamps. */
export interface VictoriaSeries {
  metric: Record<string, string> & { __name__: string };
  values: number[];
  timestamps: number[];
}

export interface VictoriaHandle extends ServerControl {
  /** http://127.0.0.1:PORT — answers InfluxDB's `/api/v2/write` and v1 `/write` (and `/ping` with 204). */
  readonly url: string;
  /** Makes recently written samples readable (`/internal/force_flush`). */
  flush(): Promise<void>;
  /** Flushes, then every series matching the selector, e.g. `{__name__=~"traffic_.*",sensor="a"}`. */
  export(match: string): Promise<VictoriaSeries[]>;
}

/**
 * The local `victoria-metrics` binary on a free loopback port. `-retentionPeriod=100y` lets it keep
 * points from the 1990s (test captures); with the default of one month it answers 204 and drops them
 * (only a warning in its log says so).
 */
export async function startVictoriaMetrics(): Promise<VictoriaHandle> {
  const dir = makeServerDir('victoria');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const control = new SpawnedServer({
    name: 'victoria-metrics',
    command: 'victoria-metrics',
    dir,
    args: [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${join(dir, 'data')}`,
      '-retentionPeriod=100y',
      '-loggerLevel=WARN',
    ],
    isReady: () => answers(`${url}/health`, 200),
  });
  await startOrDispose(control);
  const flush = async () => {
    await expectOk(await fetch(`${url}/internal/force_flush`), 'victoria-metrics force_flush');
  };
  return {
    ...lifecycleOf(control),
    url,
    flush,
    export: async (match) => {
      await flush();
      const query = new URLSearchParams({ 'match[]': match });
      const response = await expectOk(
        await fetch(`${url}/api/v1/export?${query.toString()}`),
        `victoria-metrics export ${match}`,
      );
      const text = await response.text();
      return text
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as VictoriaSeries);
    },
  };
}
