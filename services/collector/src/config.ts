import { natsConfigSchema } from '@wirewatch/bus';
import { influxConfigSchema } from '@wirewatch/influx';
import { COLLECTOR_HEARTBEAT_CONSUMER, COLLECTOR_SUMMARY_CONSUMER } from '@wirewatch/protocol';
import { z } from 'zod';

export const collectorConfigSchema = z.object({
  nats: natsConfigSchema.default(natsConfigSchema.parse({})),
  /** Durable consumer names: replicas with the same names share the work. */
  consumer: z
    .object({
      summaries: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default(COLLECTOR_SUMMARY_CONSUMER),
      heartbeats: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default(COLLECTOR_HEARTBEAT_CONSUMER),
      batchSize: z.number().int().min(1).max(10_000).default(500),
      maxWaitMs: z.number().int().min(10).max(60_000).default(500),
      ackWaitSeconds: z.number().min(1).max(3600).default(30),
    })
    .default({ summaries: COLLECTOR_SUMMARY_CONSUMER, heartbeats: COLLECTOR_HEARTBEAT_CONSUMER, batchSize: 500, maxWaitMs: 500, ackWaitSeconds: 30 }),
  influx: influxConfigSchema.default(influxConfigSchema.parse({})),
  /** Fleet-wide top lists, merged by whichever replica holds the lease (docs/influxdb-schema.md). */
  fleet: z
    .object({
      enabled: z.boolean().default(true),
      consumer: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('collector-fleet'),
      graceSeconds: z.number().min(0.1).max(600).default(3),
      leaseSeconds: z.number().min(1).max(600).default(10),
    })
    .default({ enabled: true, consumer: 'collector-fleet', graceSeconds: 3, leaseSeconds: 10 }),
  /** Length of the rank-tagged top lists written per sensor interval (bounds the series: docs/influxdb-schema.md). */
  topN: z.number().int().min(1).max(100).default(10),
  http: z.object({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(9102) }).default({ host: '0.0.0.0', port: 9102 }),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
