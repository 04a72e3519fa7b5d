import type { InfluxApi } from './detect-api.js';
import type { ResolvedWriterOptions } from './writer-options.js';

/** Where and how one API takes line protocol (millisecond timestamps unless `precision` says otherwise). */
export interface WriteEndpoint {
  api: InfluxApi;
  /** Path and query, relative to the base URL. */
  path: string;
  headers: Record<string, string>;
  /** For messages: "http://host:8086 (database traffic)". */
  target: string;
}

export function writeEndpoint(api: InfluxApi, options: ResolvedWriterOptions): WriteEndpoint {
  const { url, token, org, username, password = '', retentionPolicy, precision = 'ms' } = options;
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', accept: 'application/json' };
  if (api === 'v1') {
    const database = (options.database ?? options.bucket)!;
    const query = new URLSearchParams({ db: database, precision });
    if (retentionPolicy) query.set('rp', retentionPolicy);
    if (username) headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    else if (token) headers.authorization = `Token ${token}`;
    return { api, path: `/write?${query.toString()}`, headers, target: `${url} (database ${database})` };
  }
  const bucket = options.bucket ?? (retentionPolicy ? `${options.database}/${retentionPolicy}` : options.database!);
  const query = new URLSearchParams({ bucket, precision });
  if (org) query.set('org', org);
  const credential = token ?? (username ? `${username}:${password}` : undefined);
  if (credential) headers.authorization = `Token ${credential}`;
  return { api, path: `/api/v2/write?${query.toString()}`, headers, target: `${url} (bucket ${bucket})` };
}
