import { hostname } from 'node:os';
import { natsConfigSchema } from '@wirewatch/bus';
import { z } from 'zod';

const token = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-"');

export const httpConfigSchema = (port: number) =>
  z.object({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(port) });

export const sensorConfigSchema = z
  .object({
    /** Names this sensor in subjects and tags: 1-64 letters, digits, "_" or "-". Default: the host name. */
    id: token.default(defaultSensorId()),
    capture: z
      .object({
        interfaces: z
          .union([z.string(), z.array(z.string())])
          .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
          .default([]),
        pcap: z.string().optional(),
        speed: z
          .union([z.enum(['max', 'realtime']), z.coerce.number().positive()])
          .default('max'),
        filter: z.string().default(''),
        snaplen: z.number().int().min(64).max(262144).default(262144),
        promiscuous: z.boolean().default(true),
        bufferMb: z.number().int().min(1).max(2048).default(64),
      })
      .default({ interfaces: [], speed: 'max', filter: '', snaplen: 262144, promiscuous: true, bufferMb: 64 }),
    intervalSeconds: z.number().min(0.1).max(3600).default(1),
    sketch: z
      .object({ capacity: z.number().int().min(16).max(65536).default(512), precision: z.number().int().min(4).max(16).default(12) })
      .default({ capacity: 512, precision: 12 }),
    heartbeatSeconds: z.number().min(0.2).max(300).default(5),
    nats: natsConfigSchema.default(natsConfigSchema.parse({})),
    spool: z
      .object({
        dir: z.string().default('wirewatch-spool'),
        /** How much unsent traffic to keep while NATS is unreachable, in minutes of summaries. */
        maxMinutes: z.number().positive().default(10),
        maxMegabytes: z.number().positive().default(512),
      })
      .default({ dir: 'wirewatch-spool', maxMinutes: 10, maxMegabytes: 512 }),
    writePcap: z
      .object({ dir: z.string().optional(), rotateMb: z.number().positive().default(100), keep: z.number().int().min(1).default(10) })
      .default({ rotateMb: 100, keep: 10 }),
    http: httpConfigSchema(9101).default({ host: '0.0.0.0', port: 9101 }),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    const live = c.capture.interfaces.length > 0;
    if (live === (c.capture.pcap !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['capture'], message: 'give either interfaces to capture on or a pcap file to replay (exactly one)' });
    }
  });

export type SensorConfig = z.infer<typeof sensorConfigSchema>;

function defaultSensorId(): string {
  const name = hostname().split('.')[0].replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  return name === '' ? 'sensor' : name;
}
