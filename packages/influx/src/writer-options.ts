import type { InfluxApi } from './detect-api.js';
import type { InfluxWriteError } from './write-errors.js';

export interface InfluxWriterOptions {
  /** Base URL, e.g. http://influxdb:8086. */
  url: string;
  /** 'auto' (default) asks GET /ping before the first write: 'v1' below InfluxDB 1.8, else 'v2'. */
  api?: InfluxApi | 'auto';
  /** v2: API token. With the v1 API it is sent as `Authorization: Token …` when no username is set. */
  token?: string;
  /** v2: organization (InfluxDB 2.x needs it; 1.8, 3.x and VictoriaMetrics ignore it). */
  org?: string;
  /** v2: bucket. Defaults to `database[/retentionPolicy]`, which is how InfluxDB 1.8 names its buckets. */
  bucket?: string;
  /** v1: database. Defaults to `bucket`. */
  database?: string;
  /** v1: basic-auth user; on the v2 API of 1.8 it becomes the token `username:password`. */
  username?: string;
  password?: string;
  /** v1: retention policy (the database's default when unset). */
  retentionPolicy?: string;
  /** Unit of the lines' timestamps: `ms` (default) or `ns`. */
  precision?: 'ms' | 'ns';
  /** Per HTTP attempt, including /ping. Default 10 s. */
  timeoutMs?: number;
  /** First retry delay; doubles per failed attempt up to `maxRetryDelayMs`. Defaults 250 ms and 30 s. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Bodies larger than this are sent gzipped. Default 16 KiB; Infinity disables. */
  gzipThresholdBytes?: number;
  /** Called after each failed attempt that will be retried (for logs). */
  onRetry?: (event: RetryEvent) => void;
  /** Called when a batch is given up for good (bad data, auth, not found, aborted). */
  onRejected?: (error: InfluxWriteError, lines: readonly string[]) => void;
}

export interface RetryEvent {
  /** One line: why the attempt failed. */
  reason: string;
  /** Failed attempts so far for this batch (1 after the first failure). */
  failedAttempts: number;
  delayMs: number;
  lines: number;
}

export type ResolvedWriterOptions = Required<
  Pick<InfluxWriterOptions, 'url' | 'api' | 'timeoutMs' | 'minRetryDelayMs' | 'maxRetryDelayMs' | 'gzipThresholdBytes'>
> &
  InfluxWriterOptions;

/** Fills defaults and refuses impossible settings with one line each. */
export function resolveWriterOptions(options: InfluxWriterOptions): ResolvedWriterOptions {
  const resolved = {
    api: 'auto' as const,
    timeoutMs: 10_000,
    minRetryDelayMs: 250,
    maxRetryDelayMs: 30_000,
    gzipThresholdBytes: 16_384,
    ...options,
  };
  try {
    const { protocol } = new URL(resolved.url);
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error();
  } catch {
    throw new Error(`InfluxDB URL must be http:// or https://, got "${resolved.url}"`);
  }
  if (!['v1', 'v2', 'auto'].includes(resolved.api))
    throw new Error(`InfluxDB api must be v1, v2 or auto, got "${resolved.api}"`);
  if (!resolved.database && !resolved.bucket) throw new Error('InfluxDB writer needs a bucket (v2) or a database (v1)');
  if (resolved.password !== undefined && !resolved.username)
    throw new Error('InfluxDB password given without a username');
  for (const key of ['timeoutMs', 'minRetryDelayMs', 'maxRetryDelayMs'] as const) {
    if (!(resolved[key] > 0)) throw new Error(`InfluxDB ${key} must be a positive number of milliseconds`);
  }
  if (resolved.minRetryDelayMs > resolved.maxRetryDelayMs)
    throw new Error('InfluxDB minRetryDelayMs exceeds maxRetryDelayMs');
  return resolved;
}
