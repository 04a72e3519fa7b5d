import { DEFAULT_MAX_DELIVER, maxDeliverSetting, natsConfigSchema } from '@wirewatch/bus';
import { influxConfigSchema } from '@wirewatch/influx';
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-"');

const webhookSchema = z
  .object({
    url: z.string().url().describe('Where the JSON POST goes.'),
    secret: z.string().optional().describe('HMAC-SHA256 key of the `X-Wirewatch-Signature` header; better from `secretFile`.'),
    secretFile: z.string().optional().describe('File holding `secret` (a trailing newline is ignored).'),
    timeoutMs: z.number().int().min(100).default(5000).describe('Timeout of one attempt.'),
    maxAttempts: z.number().int().min(1).max(20).default(5).describe('Attempts, with backoff, before the notification counts as failed.'),
  })
  .describe('A signed JSON POST per notification.');

const emailSchema = z
  .object({
    host: z.string().describe('SMTP server.'),
    port: z.number().int().min(1).max(65535).default(587).describe('SMTP port: 587 for STARTTLS, 465 with `secure`.'),
    secure: z.boolean().default(false).describe('Implicit TLS (port 465); otherwise STARTTLS as `starttls` says.'),
    starttls: z
      .enum(['required', 'opportunistic', 'off'])
      .default('opportunistic')
      .describe('Without `secure`: `required` refuses to send unless the server upgrades to TLS; `opportunistic` upgrades when offered; `off` never does.'),
    user: z.string().optional().describe('SMTP user (authentication only when a password is given too).'),
    password: z.string().optional().describe('SMTP password; better from `passwordFile`.'),
    passwordFile: z.string().optional().describe('File holding `password` (a trailing newline is ignored).'),
    caFile: z.string().optional().describe('CA certificate, PEM, to verify the SMTP server.'),
    rejectUnauthorized: z.boolean().default(true).describe('Refuse an SMTP server whose certificate does not verify.'),
    from: z.string().describe('Sender address.'),
    to: z.array(z.string()).min(1).describe('Recipients.'),
    timeoutMs: z.number().int().min(100).default(10_000).describe('Timeout of one attempt.'),
  })
  .describe('An e-mail (text and HTML) per notification.');

export const receiverSchema = z
  .object({
    name: name.describe('What rules name in `receivers:`.'),
    webhook: webhookSchema.optional(),
    email: emailSchema.optional(),
  })
  .refine((r) => (r.webhook === undefined) !== (r.email === undefined), { message: 'give exactly one of webhook or email' });

export type ReceiverConfig = z.infer<typeof receiverSchema>;

export const alerterConfigSchema = z.object({
  nats: natsConfigSchema.default(natsConfigSchema.parse({})),
  consumer: z
    .object({
      summaries: name.default('alerter-summaries').describe('Durable consumer of `wirewatch.v1.summary.>`.'),
      heartbeats: name.default('alerter-heartbeats').describe('Durable consumer of `wirewatch.v1.heartbeat.>`.'),
      batchSize: z.number().int().min(1).max(10_000).default(500).describe('Messages judged per batch (the state is saved before they are acknowledged).'),
      maxWaitMs: z.number().int().min(10).max(60_000).default(200).describe('How long a batch waits for more messages after its first (part of the alert latency).'),
      ackWaitSeconds: z.number().min(1).max(3600).default(30).describe('How long JetStream waits for an ack before redelivering.'),
      maxDeliver: maxDeliverSetting('Deliveries of one message before JetStream gives up on it; the alerter then copies it to `wirewatch.deadletter.<consumer>` with reason `max_deliver` (docs/reliability.md). Applied to existing consumers at start.'),
    })
    .default({ summaries: 'alerter-summaries', heartbeats: 'alerter-heartbeats', batchSize: 500, maxWaitMs: 200, ackWaitSeconds: 30, maxDeliver: DEFAULT_MAX_DELIVER })
    .describe('The alerter\'s own durable consumers (not the collectors\'): it sees every summary and heartbeat.'),
  rules: z
    .string()
    .optional()
    .describe('The rules file (docs/alert-rules.md); unset: the rules shipped with wirewatch. Rules later replaced through the API win over it.'),
  receivers: z
    .array(receiverSchema)
    .default([])
    .describe('Where notifications go, by name: each receiver has a `name` and exactly one of `webhook` or `email`. Set in the config file.'),
  state: z
    .object({
      bucket: name.default('wirewatch_alerter').describe('KV bucket of the alert state; the lease lives in `<bucket>_lease`.'),
      leaseSeconds: z.number().min(1).max(600).default(10).describe('Lease lifetime: a standby replica takes over at most this long after the active one died.'),
    })
    .default({ bucket: 'wirewatch_alerter', leaseSeconds: 10 })
    .describe('The engine state in JetStream KV, and the lease that keeps one alerter active.'),
  engine: z
    .object({
      maxGroupsPerRule: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .default(10_000)
        .describe(
          'Groups (sensors, sources, ports ...) one rule tracks. At the limit a new group evicts the least significant one if its value is larger, else it is refused; both are counted in `/metrics`, warned in `/healthz` and raised as the `rule-group-limit` alert (alert-rules.md).',
        ),
    })
    .default({ maxGroupsPerRule: 10_000 })
    .describe('Bounds of the rule engine\'s memory.'),
  influx: influxConfigSchema
    .extend({ enabled: z.boolean().default(false).describe('Write alert transitions to InfluxDB.') })
    .default({ ...influxConfigSchema.parse({}), enabled: false })
    .describe('Alert transitions also go to InfluxDB (measurement `alerts`) for Grafana annotations, when enabled.'),
  dashboardUrl: z.string().url().optional().describe('Link put in every notification.'),
  api: z
    .object({ token: z.string().min(16, 'use at least 16 characters').optional().describe('Bearer token of the API; without it every route but /healthz, /readyz, /metrics and /openapi.json is refused.') })
    .default({})
    .describe('The rules, alerts and silences API (`/api/`, OpenAPI at `/openapi.json`).'),
  http: z
    .object({
      host: z
        .string()
        .default('127.0.0.1')
        .describe('Address to listen on. Loopback by default, as the API can change rules and silences; `0.0.0.0` (every interface) to expose it, e.g. in a container.'),
      port: z.number().int().min(0).max(65535).default(9103).describe('Port (0: any free port, logged at start).'),
    })
    .default({ host: '127.0.0.1', port: 9103 })
    .describe('`/healthz`, `/readyz`, `/metrics` and the API.'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Lowest level logged (JSON lines on stdout).'),
});

export type AlerterConfig = z.infer<typeof alerterConfigSchema>;
