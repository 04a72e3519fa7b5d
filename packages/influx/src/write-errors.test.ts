import { HttpError } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { classifyFailure, dataRefusalKind, describeRejectedLine, isDataRefusal, retryAfterMs } from './write-errors.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new HttpError(status, 'Status', JSON.stringify(body), headers['retry-after'], 'application/json', undefined, headers);

const lines = ['cpu v=1 1', 'cpu v=oops 2', 'cpu v=3 3'];
const context = { target: 'http://db:8086 (database d)', api: 'v1' as const, timeoutMs: 1_000 };

describe('describeRejectedLine', () => {
  it('InfluxDB 1.x quotes the line', () => {
    const error = json(400, { error: "partial write: unable to parse 'cpu v=oops 2': invalid number dropped=0" });
    expect(describeRejectedLine(error, lines)).toEqual({
      lineNumber: 2,
      message: 'InfluxDB rejected line 2 of 3 as bad data: invalid number: cpu v=oops 2',
    });
  });

  it('InfluxDB 2.x numbers the line', () => {
    const error = json(400, {
      code: 'invalid',
      message: 'failed to parse line protocol:\nerrors encountered on line(s):\nline 2: invalid field value',
    });
    expect(describeRejectedLine(error, lines)).toEqual({
      lineNumber: 2,
      message: 'InfluxDB rejected line 2 of 3 as bad data: invalid field value: cpu v=oops 2',
    });
  });

  it('InfluxDB 3.x lists the lines', () => {
    const error = json(400, {
      error: 'parsing failed',
      data: [{ original_line: 'cpu v=oops 2', line_number: 2, error_message: 'bad value' }],
    });
    expect(describeRejectedLine(error, lines).message).toBe(
      'InfluxDB rejected line 2 of 3 as bad data: bad value: cpu v=oops 2',
    );
  });

  it('falls back to the server message for the whole batch', () => {
    const error = json(400, { error: 'field type conflict' });
    expect(describeRejectedLine(error, lines)).toEqual({
      message: 'InfluxDB rejected the batch of 3 lines as bad data: field type conflict',
    });
  });
});

describe('classifyFailure', () => {
  it('retries 5xx, 429 and 408 and reads Retry-After', () => {
    expect(classifyFailure(json(503, { error: 'busy' }, { 'retry-after': '3' }), lines, context)).toEqual({
      retry: true,
      reason: 'InfluxDB at http://db:8086 (database d) answered HTTP 503: busy',
      retryAfterMs: 3_000,
    });
    expect(classifyFailure(json(429, {}), lines, context)).toMatchObject({ retry: true });
    expect(classifyFailure(json(408, {}), lines, context)).toMatchObject({ retry: true });
  });

  it('retries network errors', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyFailure(refused, lines, context)).toEqual({
      retry: true,
      reason: 'cannot reach InfluxDB at http://db:8086 (database d): connect ECONNREFUSED 127.0.0.1:1',
    });
  });

  it('gives up on 401/403, 404 and other 4xx with their kind', () => {
    const kind = (error: HttpError, api: 'v1' | 'v2' = 'v1') => {
      const failure = classifyFailure(error, lines, { ...context, api });
      return failure.retry ? 'retry' : `${failure.error.kind}: ${failure.error.message}`;
    };
    expect(kind(json(401, { error: 'authorization failed' }))).toBe(
      'auth: InfluxDB at http://db:8086 (database d) refused the credentials (HTTP 401): authorization failed',
    );
    expect(kind(json(404, { error: 'database not found: "d"' }))).toBe(
      'not-found: InfluxDB at http://db:8086 (database d) has no such database or bucket (HTTP 404): database not found: "d"',
    );
    expect(kind(new HttpError(404, 'Not Found', '404 page not found', undefined, 'text/plain'), 'v2')).toMatch(
      /^not-found: .* does not serve \/api\/v2\/write .*need the v1 API$/,
    );
    expect(kind(json(405, { error: 'method' }))).toMatch(/^rejected: /);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('2')).toBe(2_000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('dataRefusalKind', () => {
  // The servers' own words, as influxd 1.6.7 and VictoriaMetrics answered them (tests/faults/poison-*.test.ts).
  it.each([
    [
      'partial write: field type conflict: input field "packets" on measurement "traffic" is type integer, already exists as type float dropped=1',
      'field_type_conflict',
    ],
    ['partial write: points beyond retention policy dropped=1', 'beyond_retention'],
    [
      'partial write: unable to parse \'traffic,sensor=a packets=1i 9300000000000000000\': strconv.ParseInt: parsing "9300000000000000000": value out of range dropped=0',
      'time_out_of_range',
    ],
    [
      "unable to parse 'traffic,sensor=a,interface=eth0\\ packets=1i 1796409541640000000': invalid tag format",
      'unparsable',
    ],
    [
      'partial write: max-values-per-tag limit exceeded (100000/100000): measurement="traffic" tag="source" value="x" dropped=1',
      'limit_exceeded',
    ],
    ['something new', 'other'],
  ])('%s -> %s', (said, kind) => {
    expect(dataRefusalKind(said)).toBe(kind);
  });

  it('classifyFailure keeps the server words for it, without the line', () => {
    const said = 'partial write: points beyond retention policy dropped=1';
    const failure = classifyFailure(json(400, { error: said }), lines, context);
    expect(failure.retry).toBe(false);
    if (failure.retry) return;
    expect(isDataRefusal(failure.error)).toBe(true);
    expect(failure.error.serverSaid).toBe(said);
    expect(dataRefusalKind(failure.error.serverSaid!)).toBe('beyond_retention');
  });

  it('auth and 5xx are not data refusals', () => {
    const auth = classifyFailure(json(401, { error: 'authorization failed' }), lines, context);
    expect(!auth.retry && isDataRefusal(auth.error)).toBe(false);
    expect(classifyFailure(json(503, { error: 'down' }), lines, context).retry).toBe(true);
  });
});
