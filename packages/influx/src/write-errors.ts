import { parseRetryAfter } from '@wirewatch/retry';
import { HttpError } from '@influxdata/influxdb-client';
import { networkReason } from './detect-api.js';

/**
 * Why a write was given up: `bad-data` (400/413/422: the lines are wrong, retrying cannot help),
 * `auth` (401/403), `not-found` (404: no such database or bucket), `rejected` (any other 4xx),
 * `aborted` (the writer was closed, or the caller's AbortSignal fired, before the server accepted).
 */
export type InfluxWriteErrorKind = 'bad-data' | 'auth' | 'not-found' | 'rejected' | 'aborted';

export class InfluxWriteError extends Error {
  override readonly name = 'InfluxWriteError';

  constructor(
    readonly kind: InfluxWriteErrorKind,
    message: string,
    readonly status?: number,
    /** 1-based number, within the batch, of the line the server complained about (bad-data). */
    readonly lineNumber?: number,
    /** The server's own words (bad-data), unclipped and without the line: what `dataRefusalKind` reads. */
    readonly serverSaid?: string,
  ) {
    super(message);
  }
}

/** What to do after a failed attempt. */
export type AttemptFailure =
  { retry: true; reason: string; retryAfterMs?: number } | { retry: false; error: InfluxWriteError };

/** The server's own words: v1 `{"error": …}`, v2 `{"message": …}`, else the raw body. */
export function serverMessage(error: HttpError): string {
  const json = error.json as { message?: unknown; error?: unknown } | undefined;
  const text = [json?.message, json?.error, error.body, error.message].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  return (text ?? `HTTP ${error.statusCode}`).trim();
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined if absent or unreadable. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  return typeof value === 'string' ? parseRetryAfter(value, now) : undefined;
}

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Names the line a 400 is about. InfluxDB 1.x quotes it ("unable to parse '<line>': <reason>"), 2.x
 * numbers it ("line 2: <reason>"), 3.x lists `{line_number, error_message}` in `data`.
 */
export function describeRejectedLine(
  error: HttpError,
  lines: readonly string[],
): { message: string; lineNumber?: number } {
  const said = serverMessage(error);
  const json = error.json as { data?: { line_number?: unknown; error_message?: unknown }[] } | undefined;
  const listed = Array.isArray(json?.data) ? json.data[0] : undefined;
  let lineNumber: number | undefined;
  let reason = said;
  if (listed && typeof listed.line_number === 'number') {
    lineNumber = listed.line_number;
    reason = typeof listed.error_message === 'string' ? listed.error_message : said;
  } else {
    const numbered = /line (\d+): (.+)/i.exec(said);
    const quotedIndex = lines.findIndex((line) => said.includes(`'${line}'`));
    if (quotedIndex >= 0) {
      lineNumber = quotedIndex + 1;
      reason = said.slice(said.indexOf(`'${lines[quotedIndex]}'`) + lines[quotedIndex].length + 2).replace(/^:\s*/, '');
      reason = reason.replace(/\s*dropped=\d+\s*$/, '') || said;
    } else if (numbered) {
      lineNumber = Number(numbered[1]);
      reason = numbered[2]!;
    }
  }
  const line = lineNumber !== undefined ? lines[lineNumber - 1] : undefined;
  if (lineNumber === undefined || line === undefined) {
    return { message: `InfluxDB rejected the batch of ${lines.length} lines as bad data: ${clip(said, 300)}` };
  }
  return {
    message: `InfluxDB rejected line ${lineNumber} of ${lines.length} as bad data: ${clip(reason, 200)}: ${clip(line)}`,
    lineNumber,
  };
}

export interface AttemptContext {
  /** Where the lines went, for messages: "http://host:8086 (database traffic)". */
  target: string;
  api: 'v1' | 'v2';
  timeoutMs: number;
}

/** Sorts a failed attempt into "retry later" or "give up", with a one-line message either way. */
export function classifyFailure(
  error: unknown,
  lines: readonly string[],
  { target, api, timeoutMs }: AttemptContext,
): AttemptFailure {
  if (!(error instanceof HttpError))
    return { retry: true, reason: `cannot reach InfluxDB at ${target}: ${networkReason(error, timeoutMs)}` };
  const status = error.statusCode;
  const said = clip(serverMessage(error), 300);
  if (status === 408 || status === 429 || status >= 500) {
    return {
      retry: true,
      reason: `InfluxDB at ${target} answered HTTP ${status}: ${said}`,
      retryAfterMs: retryAfterMs(error.headers?.['retry-after']),
    };
  }
  if (status === 400 || status === 413 || status === 422) {
    const { message, lineNumber } = describeRejectedLine(error, lines);
    return { retry: false, error: new InfluxWriteError('bad-data', message, status, lineNumber, serverMessage(error)) };
  }
  if (status === 401 || status === 403) {
    return {
      retry: false,
      error: new InfluxWriteError(
        'auth',
        `InfluxDB at ${target} refused the credentials (HTTP ${status}): ${said}`,
        status,
      ),
    };
  }
  if (status === 404 && api === 'v2' && error.json === undefined) {
    const message = `InfluxDB at ${target} does not serve /api/v2/write (HTTP 404: ${said}); servers older than 1.8 need the v1 API`;
    return { retry: false, error: new InfluxWriteError('not-found', message, status) };
  }
  if (status === 404) {
    return {
      retry: false,
      error: new InfluxWriteError(
        'not-found',
        `InfluxDB at ${target} has no such database or bucket (HTTP 404): ${said}`,
        status,
      ),
    };
  }
  return {
    retry: false,
    error: new InfluxWriteError(
      'rejected',
      `InfluxDB at ${target} rejected the write (HTTP ${status}): ${said}`,
      status,
    ),
  };
}

/**
 * What a database refused in a batch, in a few bounded kinds (for metric labels and logging once per
 * kind): a field whose type differs from the stored one, a timestamp outside the retention policy or
 * outside the range the database can store (InfluxDB: after 2262), a line it cannot parse, a series or
 * tag-value limit, anything else.
 */
export type DataRefusalKind =
  'field_type_conflict' | 'beyond_retention' | 'time_out_of_range' | 'unparsable' | 'limit_exceeded' | 'other';

export function dataRefusalKind(message: string): DataRefusalKind {
  if (/field type conflict|already exists as type|conflicting field type/i.test(message)) return 'field_type_conflict';
  if (/beyond retention|outside (of )?the retention|retention polic(y|ies) .*(dropped|exceeded)/i.test(message))
    return 'beyond_retention';
  // influxd 1.x: a nanosecond timestamp past 2262 overflows int64 ("parsing \"9300000000000000000\": value out of range").
  if (
    /time outside range|timestamp.*(out of range|too (big|large|far))|parsing "\d{19,}": value out of range/i.test(
      message,
    )
  )
    return 'time_out_of_range';
  if (/max-values-per-tag|max-series-per-database|limit exceeded|too many/i.test(message)) return 'limit_exceeded';
  if (/unable to parse|cannot parse|failed to parse|invalid|unexpected|bad timestamp|missing/i.test(message))
    return 'unparsable';
  return 'other';
}

/** A write the database refused for the lines themselves (retrying the same lines cannot help; other lines may pass). */
export function isDataRefusal(error: unknown): error is InfluxWriteError {
  return error instanceof InfluxWriteError && error.kind === 'bad-data';
}
