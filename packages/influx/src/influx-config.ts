import { z } from 'zod';
import type { InfluxWriterOptions } from './writer-options.js';

/** InfluxDB settings shared by the services that write (config `influx:`, environment `WIREWATCH_INFLUX_*`). */
export const influxConfigSchema = z.object({
  url: z.string().url().default('http://127.0.0.1:8086'),
  /** v2 write API (InfluxDB 1.8+, 2.x, 3.x, Cloud), v1 `/write` (older 1.x), or ask `/ping`. */
  api: z.enum(['auto', 'v1', 'v2']).default('auto'),
  token: z.string().optional(),
  org: z.string().default('wirewatch'),
  bucket: z.string().default('wirewatch'),
  database: z.string().default('wirewatch'),
  username: z.string().optional(),
  password: z.string().optional(),
  retentionPolicy: z.string().optional(),
  timeoutMs: z.number().int().min(100).default(10_000),
});

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
  };
}
