import { natsConfigSchema } from '@wirewatch/bus';
import { influxConfigSchema } from '@wirewatch/influx';
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-"');

const webhookSchema = z.object({
  url: z.string().url(),
  /** HMAC-SHA256 key for the signature header; better from `secretFile`. */
  secret: z.string().optional(),
  secretFile: z.string().optional(),
  timeoutMs: z.number().int().min(100).default(5000),
  maxAttempts: z.number().int().min(1).max(20).default(5),
});

const emailSchema = z.object({
  host: z.string(),
  port: z.number().int().min(1).max(65535).default(587),
  /** Implicit TLS (port 465); otherwise STARTTLS as `starttls` says. */
  secure: z.boolean().default(false),
  starttls: z.enum(['required', 'opportunistic', 'off']).default('opportunistic'),
  user: z.string().optional(),
  password: z.string().optional(),
  passwordFile: z.string().optional(),
  caFile: z.string().optional(),
  rejectUnauthorized: z.boolean().default(true),
  from: z.string(),
  to: z.array(z.string()).min(1),
  timeoutMs: z.number().int().min(100).default(10_000),
});

export const receiverSchema = z
  .object({ name, webhook: webhookSchema.optional(), email: emailSchema.optional() })
  .refine((r) => (r.webhook === undefined) !== (r.email === undefined), { message: 'give exactly one of webhook or email' });

export type ReceiverConfig = z.infer<typeof receiverSchema>;

export const alerterConfigSchema = z.object({
  nats: natsConfigSchema.default(natsConfigSchema.parse({})),
  /** The alerter's own durable consumers (not the collectors'): it sees every summary and heartbeat too. */
  consumer: z
    .object({
      summaries: name.default('alerter-summaries'),
      heartbeats: name.default('alerter-heartbeats'),
      batchSize: z.number().int().min(1).max(10_000).default(500),
      maxWaitMs: z.number().int().min(10).max(60_000).default(200),
      ackWaitSeconds: z.number().min(1).max(3600).default(30),
    })
    .default({ summaries: 'alerter-summaries', heartbeats: 'alerter-heartbeats', batchSize: 500, maxWaitMs: 200, ackWaitSeconds: 30 }),
  /** The rules file; default: the rules shipped with wirewatch. */
  rules: z.string().optional(),
  receivers: z.array(receiverSchema).default([]),
  /** JetStream KV bucket of the engine state, and the lease that keeps one alerter active. */
  state: z
    .object({ bucket: name.default('wirewatch_alerter'), leaseSeconds: z.number().min(1).max(600).default(10) })
    .default({ bucket: 'wirewatch_alerter', leaseSeconds: 10 }),
  /** Alert transitions also go to InfluxDB (measurement `alerts`) for Grafana annotations, when a URL is set. */
  influx: influxConfigSchema.extend({ enabled: z.boolean().default(false) }).default({ ...influxConfigSchema.parse({}), enabled: false }),
  /** Link put in every notification. */
  dashboardUrl: z.string().url().optional(),
  api: z.object({ token: z.string().min(16, 'use at least 16 characters').optional() }).default({}),
  http: z.object({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(9103) }).default({ host: '0.0.0.0', port: 9103 }),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type AlerterConfig = z.infer<typeof alerterConfigSchema>;
