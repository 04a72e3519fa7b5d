import { durableConsumersSchema, leaseSecondsSetting, natsConfigSchema } from '@wirewatch/bus';
import { influxConfigSchema } from '@wirewatch/influx';
import {
  COLLECTOR_HEARTBEAT_CONSUMER,
  COLLECTOR_SUMMARY_CONSUMER,
  DEFAULT_FLEET_LIMITS,
  sketchShapeSchema,
  subjectToken,
} from '@wirewatch/protocol';
import { httpConfigSchema, logLevelSetting } from '@wirewatch/service';
import { z } from 'zod';

const MIB = 1024 ** 2;

export const collectorConfigSchema = z.object({
  nats: natsConfigSchema.prefault({}),
  consumer: durableConsumersSchema({
    names: { summaries: COLLECTOR_SUMMARY_CONSUMER, heartbeats: COLLECTOR_HEARTBEAT_CONSUMER },
    maxWaitMs: 500,
    describe: {
      batchSize: 'Messages per batch: one InfluxDB write, acknowledged together once InfluxDB accepted it.',
      maxWaitMs: 'How long a batch waits for more messages after its first before it is written.',
      ackWaitSeconds:
        'How long JetStream waits for an ack before redelivering; a batch waiting on InfluxDB retries is extended meanwhile.',
      maxDeliver:
        'Deliveries of one message (summaries, heartbeats and the fleet merge) before JetStream gives up on it; the collector then copies it to `wirewatch.deadletter.<consumer>` with reason `max_deliver` (docs/reliability.md). InfluxDB outages, refused credentials and a missing database hold the batch instead of spending deliveries. Applied to existing consumers at start.',
    },
  }).describe('The shared durable consumers: replicas with the same names split the messages between them.'),
  influx: influxConfigSchema.prefault({}),
  fleet: z
    .object({
      enabled: z.boolean().default(true).describe('Compete for the lease; off: this replica never merges.'),
      consumer: subjectToken
        .default('collector-fleet')
        .describe("Durable consumer of the merge (every summary); also the lease's key."),
      graceSeconds: z
        .number()
        .min(0.1)
        .max(600)
        .default(3)
        .describe(
          "How long after an interval's first summary the merge waits for the other sensors before writing it.",
        ),
      leaseSeconds: leaseSecondsSetting(
        'Lease lifetime: another replica takes over at most this long after the holder died.',
      ),
      maxIntervals: z
        .number()
        .int()
        .min(10)
        .max(1_000_000)
        .default(DEFAULT_FLEET_LIMITS.maxIntervals)
        .describe(
          'Memory cap of the merge: intervals held at once (open, being written, and retained ten minutes for late summaries). Over it, the oldest retained are dropped, then the oldest open written early; a later summary of a dropped one is left out and counted (docs/reliability.md).',
        ),
      maxMegabytes: z
        .number()
        .min(8)
        .max(65_536)
        .default(DEFAULT_FLEET_LIMITS.maxBytes / MIB)
        .describe(
          "Memory cap of the merge in MiB of sketches (about 0.19 MiB per interval with the sensor's default sketch sizes), held the same way as `maxIntervals`.",
        ),
      sketch: sketchShapeSchema({
        capacity: "The sensors' `sketch.capacity`.",
        precision: "The sensors' `sketch.precision`.",
      }).describe(
        'The sketch sizes the fleet\'s sensors are configured with (their defaults unless set). Summaries of other sizes are stored per sensor but left out of the fleet-wide top lists (counted as `wirewatch_collector_fleet_skipped_total{reason="shape"}`, logged once).',
      ),
    })
    .prefault({})
    .describe(
      'Fleet-wide top lists (`fleet_top`), merged by the one replica holding the lease in the KV bucket `wirewatch_collectors`.',
    ),
  topN: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe(
      'Length of the rank-tagged top lists written per sensor interval (it bounds the series: docs/influxdb-schema.md).',
    ),
  http: httpConfigSchema(9102),
  logLevel: logLevelSetting,
});

export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
