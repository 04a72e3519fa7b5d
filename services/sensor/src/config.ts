import { hostname } from 'node:os';
import { natsConfigSchema } from '@wirewatch/bus';
import { DEFAULT_KERNEL_BUFFER_MB, MAX_KERNEL_BUFFER_MB, MAX_SNAPLEN, MIN_KERNEL_BUFFER_MB } from '@wirewatch/capture';
import { sketchShapeSchema, subjectToken, toSubjectToken } from '@wirewatch/protocol';
import { httpConfigSchema, logLevelSetting } from '@wirewatch/service';
import { z } from 'zod';

/** Re-exported: tests/deploy/compose-http-host.test.ts reads the sensor's `http` default through it. */
export { httpConfigSchema };

const MIB = 1024 * 1024;

export const sensorConfigSchema = z
  .object({
    id: subjectToken
      .default(defaultSensorId())
      .describe(
        'Names this sensor in NATS subjects and InfluxDB tags: 1-64 letters, digits, "_" or "-", unique in the fleet.',
      ),
    capture: z
      .object({
        interfaces: z
          .union([z.string(), z.array(z.string())])
          .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
          .default([])
          .describe('Interfaces to capture live (needs CAP_NET_RAW and CAP_NET_ADMIN: docs/deploying.md).'),
        pcap: z
          .string()
          .optional()
          .describe('A PCAP or PCAPNG file to replay instead; the sensor exits once every summary of it is published.'),
        speed: z
          .union([z.enum(['max', 'realtime']), z.coerce.number().positive()])
          .default('max')
          .describe(
            'Replay pace: `max`, `realtime` (the recorded pace), or a multiple of the recorded pace such as `10`.',
          ),
        filter: z
          .string()
          .default('')
          .describe(
            'BPF capture filter (pcap-filter syntax), e.g. `not port 4222`; empty: everything. Live capture only.',
          ),
        snaplen: z
          .number()
          .int()
          .min(64)
          .max(MAX_SNAPLEN)
          .default(MAX_SNAPLEN)
          .describe('Bytes kept of each live frame; what lies beyond (DNS names, PCAP copies) is lost.'),
        promiscuous: z
          .boolean()
          .default(true)
          .describe('Promiscuous mode: also see frames not addressed to this host (mirror ports, taps).'),
        bufferMb: z
          .number()
          .int()
          .min(MIN_KERNEL_BUFFER_MB)
          .max(MAX_KERNEL_BUFFER_MB)
          .default(DEFAULT_KERNEL_BUFFER_MB)
          .describe(
            'Kernel capture ring per interface, in MiB. Raise it when `wirewatch_sensor_kernel_dropped_total` grows.',
          ),
      })
      .prefault({})
      .describe('What to summarize: live interfaces or a capture file (exactly one of `interfaces` and `pcap`).'),
    intervalSeconds: z
      .number()
      .min(0.1)
      .max(3600)
      .default(1)
      .describe(
        'Summary interval. Intervals are aligned to its multiples; give every sensor of a fleet the same value.',
      ),
    sketch: sketchShapeSchema({
      capacity:
        'Entries per top-list sketch (Space-Saving): counts are exact while an interval has fewer distinct keys.',
      precision: 'HyperLogLog precision of the distinct counts: 2^precision registers, 12 gives about ±1.6 %.',
    }).describe('Size of the mergeable sketches in each summary.'),
    heartbeatSeconds: z
      .number()
      .min(0.2)
      .max(300)
      .default(5)
      .describe('Heartbeat period (packets, kernel drops, spool state on `wirewatch.v1.heartbeat.<id>`).'),
    nats: sensorNatsSchema(),
    spool: z
      .object({
        dir: z
          .string()
          .default('wirewatch-spool')
          .describe('Spool directory; it survives restarts. One sensor per directory.'),
        maxMinutes: z
          .number()
          .positive()
          .default(10)
          .describe(
            'How much unsent traffic to keep while NATS is unreachable, in minutes of summaries; beyond it the oldest are dropped and counted.',
          ),
        maxMegabytes: z
          .number()
          .positive()
          // The spool bounds whole bytes (a positive safe integer): a fraction of a byte would stop the sensor at start.
          .refine(
            (mb) => Number.isSafeInteger(mb * MIB),
            'must come to a whole number of bytes (MiB × 1048576), such as 0.5 or 512',
          )
          .default(512)
          .describe('Bound on the spool files, in MiB; beyond it the oldest summaries are dropped and counted.'),
        segmentKilobytes: z
          .number()
          .int()
          .min(4)
          .max(65536)
          .default(512)
          .describe(
            'Size of one spool file, in KiB (at most an eighth of `maxMegabytes`). A file is deleted as soon as JetStream acknowledged all it holds, so this is about the most disk a spool that keeps up uses.',
          ),
      })
      .prefault({})
      .describe('On-disk buffer of the summaries JetStream has not acknowledged yet.'),
    writePcap: z
      .object({
        dir: z
          .string()
          .optional()
          .describe('Directory of the copies, `<id>-<interface>-<UTC time>-<seq>.pcap`; unset: no copies.'),
        rotateMb: z.number().positive().default(100).describe('Start a new file after this many MiB.'),
        keep: z
          .number()
          .int()
          .min(1)
          .default(10)
          .describe(
            'Files kept per interface; the oldest are deleted (earlier when the disk is full: the ring shrinks to what fits).',
          ),
      })
      .prefault({})
      .describe('Optional raw copy of the captured frames in rotating PCAP files.'),
    http: httpConfigSchema(9101),
    logLevel: logLevelSetting,
  })
  .superRefine((c, ctx) => {
    const live = c.capture.interfaces.length > 0;
    if (live === (c.capture.pcap !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['capture'],
        message: 'give either interfaces to capture on or a pcap file to replay (exactly one)',
      });
    }
  });

export type SensorConfig = z.infer<typeof sensorConfigSchema>;

/**
 * The shared NATS settings, except that a sensor leaves the streams alone unless told to: stream
 * management belongs to the collectors (or an operator), and a sensor's NATS user has no `$JS.API`.
 */
function sensorNatsSchema() {
  return natsConfigSchema
    .extend({
      manageStreams: z
        .boolean()
        .default(false)
        .describe(
          "Create the streams at start where they are missing. Off for a sensor: the collectors create them, and a sensor's NATS user needs no `$JS.API` rights. When on and refused, the sensor logs it and publishes all the same.",
        ),
    })
    .prefault({})
    .describe(natsConfigSchema.description ?? '');
}

function defaultSensorId(): string {
  return toSubjectToken(hostname().split('.')[0]) || 'sensor';
}
