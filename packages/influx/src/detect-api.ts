export type InfluxApi = 'v1' | 'v2';

export interface DetectOptions {
  /** Sent as `Authorization: Token …` for servers that guard /ping. */
  token?: string;
  timeoutMs?: number;
}

/**
 * Which write API a server speaks, from its `X-Influxdb-Version` header: InfluxDB 1.x below 1.8 has
 * only the v1 `/write`; 1.8 added `/api/v2/write`, which 2.x, 3.x and Cloud all serve. No header at
 * all is VictoriaMetrics (its /ping answers 204 bare), which serves `/api/v2/write` too.
 */
export function apiForVersion(version: string | null | undefined): InfluxApi {
  const match = /^v?(\d+)\.(\d+)/.exec(version?.trim() ?? '');
  if (!match) return 'v2';
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major === 1 && minor < 8 ? 'v1' : 'v2';
}

/** The server could not be asked (network error, timeout, 5xx, 429): worth asking again later. */
export class InfluxUnreachableError extends Error {
  override readonly name = 'InfluxUnreachableError';
}

/** Asks `GET /ping` which write API the server at `url` speaks; one clear line if it cannot say. */
export async function detectInfluxApi(
  url: string,
  { token, timeoutMs = 5_000 }: DetectOptions = {},
): Promise<InfluxApi> {
  let pingUrl: URL;
  try {
    pingUrl = new URL('ping', url.endsWith('/') ? url : `${url}/`);
  } catch {
    throw new Error(`invalid InfluxDB URL "${url}"`);
  }
  let response: Response;
  try {
    response = await fetch(pingUrl, {
      headers: token ? { authorization: `Token ${token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
  } catch (error) {
    throw new InfluxUnreachableError(`cannot reach InfluxDB at ${url}: ${networkReason(error, timeoutMs)}`);
  }
  const version = response.headers.get('x-influxdb-version');
  if (version !== null || response.status === 204) return apiForVersion(version);
  if (response.status >= 500 || response.status === 429) {
    throw new InfluxUnreachableError(`InfluxDB at ${url} is not available: GET /ping answered HTTP ${response.status}`);
  }
  throw new Error(`${url} is not an InfluxDB-compatible server: GET /ping answered HTTP ${response.status}`);
}

/** "connect ECONNREFUSED 127.0.0.1:8086" rather than fetch's bare "fetch failed". */
export function networkReason(error: unknown, timeoutMs?: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'RequestTimedOutError')) {
    return timeoutMs === undefined ? 'no answer in time' : `no answer within ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof Error) return cause.message || (cause as { code?: string }).code || String(cause);
  return error instanceof Error ? error.message || error.name : String(error);
}
