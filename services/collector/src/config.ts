import { DEFAULT_MAX_DELIVER, maxDeliverSetting, natsConfigSchema } from '@wirewatch/bus';
import { influxConfigSchema } from '@wirewatch/influx';
import { COLLECTOR_HEARTBEAT_CONSUMER, COLLECTOR_SUMMARY_CONSUMER, DEFAULT_SKETCH_SHAPE, SKETCH_MAX_CAPACITY, SKETCH_MAX_PRECISION, SKETCH_MIN_PRECISION } from '@wirewatch/protocol';
import { z } from 'zod';

export const collectorConfigSchema = z.object({
  nats: natsConfigSchema.default(natsConfigSchema.parse({})),
  consumer: z
    .object({
      summaries: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default(COLLECTOR_SUMMARY_CONSUMER).describe('Durable consumer of `wirewatch.v1.summary.>`.'),
      heartbeats: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default(COLLECTOR_HEARTBEAT_CONSUMER).describe('Durable consumer of `wirewatch.v1.heartbeat.>`.'),
      batchSize: z.number().int().min(1).max(10_000).default(500).describe('Messages per batch: one InfluxDB write, acknowledged together once InfluxDB accepted it.'),
      maxWaitMs: z.number().int().min(10).max(60_000).default(500).describe('How long a batch waits for more messages after its first before it is written.'),
      ackWaitSeconds: z
        .number()
        .min(1)
        .max(3600)
        .default(30)
        .describe('How long JetStream waits for an ack before redelivering; a batch waiting on InfluxDB retries is extended meanwhile.'),
      maxDeliver: maxDeliverSetting('Deliveries of one message (summaries, heartbeats and the fleet merge) before JetStream gives up on it; the collector then copies it to `wirewatch.deadletter.<consumer>` with reason `max_deliver` (docs/reliability.md). InfluxDB outages, refused credentials and a missing database hold the batch instead of spending deliveries. Applied to existing consumers at start.'),
    })
    .default({ summaries: COLLECTOR_SUMMARY_CONSUMER, heartbeats: COLLECTOR_HEARTBEAT_CONSUMER, batchSize: 500, maxWaitMs: 500, ackWaitSeconds: 30, maxDeliver: DEFAULT_MAX_DELIVER })
    .describe('The shared durable consumers: replicas with the same names split the messages between them.'),
  influx: influxConfigSchema.default(influxConfigSchema.parse({})),
  fleet: z
    .object({
      enabled: z.boolean().default(true).describe('Compete for the lease; off: this replica never merges.'),
      consumer: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('collector-fleet').describe('Durable consumer of the merge (every summary); also the lease\'s key.'),
      graceSeconds: z.number().min(0.1).max(600).default(3).describe('How long after an interval\'s first summary the merge waits for the other sensors before writing it.'),
      leaseSeconds: z.number().min(1).max(600).default(10).describe('Lease lifetime: another replica takes over at most this long after the holder died.'),
      maxIntervals: z.number().int().min(10).max(1_000_000).default(2000).describe('Memory cap of the merge: intervals held at once (open, being written, and retained ten minutes for late summaries). Over it, the oldest retained are dropped, then the oldest open written early; a later summary of a dropped one is left out and counted (docs/reliability.md).'),
      maxMegabytes: z.number().min(8).max(65_536).default(128).describe('Memory cap of the merge in MiB of sketches (about 0.19 MiB per interval with the sensor\'s default sketch sizes), held the same way as `maxIntervals`.'),
      sketch: z
        .object({
          capacity: z.number().int().min(16).max(SKETCH_MAX_CAPACITY).default(DEFAULT_SKETCH_SHAPE.capacity).describe('The sensors\' `sketch.capacity`.'),
          precision: z.number().int().min(SKETCH_MIN_PRECISION).max(SKETCH_MAX_PRECISION).default(DEFAULT_SKETCH_SHAPE.precision).describe('The sensors\' `sketch.precision`.'),
        })
        .default({ ...DEFAULT_SKETCH_SHAPE })
        .describe('The sketch sizes the fleet\'s sensors are configured with (their defaults unless set). Summaries of other sizes are stored per sensor but left out of the fleet-wide top lists (counted as `wirewatch_collector_fleet_skipped_total{reason="shape"}`, logged once).'),
    })
    .default({ enabled: true, consumer: 'collector-fleet', graceSeconds: 3, leaseSeconds: 10, maxIntervals: 2000, maxMegabytes: 128, sketch: { ...DEFAULT_SKETCH_SHAPE } })
    .describe('Fleet-wide top lists (`fleet_top`), merged by the one replica holding the lease in the KV bucket `wirewatch_collectors`.'),
  topN: z.number().int().min(1).max(100).default(10).describe('Length of the rank-tagged top lists written per sensor interval (it bounds the series: docs/influxdb-schema.md).'),
  http: z
    .object({
      host: z.string().default('0.0.0.0').describe('Address to listen on (`0.0.0.0`: every interface, for probes from outside a container).'),
      port: z.number().int().min(0).max(65535).default(9102).describe('Port (0: any free port, logged at start).'),
    })
    .default({ host: '0.0.0.0', port: 9102 })
    .describe('`/healthz`, `/readyz` and `/metrics`.'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Lowest level logged (JSON lines on stdout).'),
});

export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
