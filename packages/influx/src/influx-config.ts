import { z } from 'zod';
import type { InfluxWriterOptions } from './writer-options.js';

/** InfluxDB settings shared by the services that write (config `influx:`, environment `WIREWATCH_INFLUX_*`). */
export const influxConfigSchema = z
  .object({
    url: z
      .string()
      .url()
      .default('http://127.0.0.1:8086')
      .describe('Base URL of InfluxDB, e.g. `https://influx.example.net:8086`.'),
    api: z
      .enum(['auto', 'v1', 'v2'])
      .default('auto')
      .describe(
        '`v2`: `/api/v2/write` (InfluxDB 1.8+, 2.x, 3.x, Cloud); `v1`: `/write` (InfluxDB before 1.8); `auto`: ask `/ping` once.',
      ),
    token: z
      .string()
      .optional()
      .describe('API token (v2). With the v1 API it is sent as `Authorization: Token` when no `username` is set.'),
    org: z
      .string()
      .default('wirewatch')
      .describe('Organization (v2): InfluxDB 2.x and Cloud need it; 1.8 and 3.x ignore it.'),
    bucket: z
      .string()
      .default('wirewatch')
      .describe('Bucket (v2). On InfluxDB 3.x the database; on 1.8 `database/retention-policy`.'),
    database: z.string().default('wirewatch').describe('Database (v1 API).'),
    username: z
      .string()
      .optional()
      .describe(
        'User for basic authentication (v1); on the v2 API of InfluxDB 1.8 it becomes the token `username:password`.',
      ),
    password: z.string().optional().describe('Password of `username`.'),
    retentionPolicy: z.string().optional().describe("Retention policy (v1 API); unset: the database's default."),
    timeoutMs: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe(
        'Timeout of one HTTP attempt. Failed attempts (network, timeout, 5xx, 429) are retried with backoff from 250 ms to 30 s until InfluxDB accepts.',
      ),
  })
  .describe('InfluxDB to write to (docs/scaling.md: 1.x, 2.x, 3.x, Cloud).');

export type InfluxConfig = z.infer<typeof influxConfigSchema>;

/** The writer options of a service's InfluxDB settings. */
export function influxWriterOptions(c: InfluxConfig): InfluxWriterOptions {
  return {
    url: c.url,
    api: c.api,
    token: c.token,
    org: c.org,
    bucket: c.bucket,
    database: c.database,
    username: c.username,
    password: c.password,
    retentionPolicy: c.retentionPolicy,
    timeoutMs: c.timeoutMs,
    // Points carry sub-millisecond digits (points.ts: runOffsetNs; alert-points.ts: alertTimestampNs).
    precision: 'ns',
  };
}
