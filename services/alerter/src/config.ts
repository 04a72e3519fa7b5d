import { durableConsumersSchema, leaseSecondsSetting, natsConfigSchema } from '@wirewatch/bus';
import { influxConfigSchema } from '@wirewatch/influx';
import { EMAIL_DEFAULTS, WEBHOOK_DEFAULTS } from '@wirewatch/notify';
import { subjectToken } from '@wirewatch/protocol';
import { DEFAULT_MAX_GROUPS_PER_RULE } from '@wirewatch/rules';
import { httpConfigSchema, logLevelSetting, tcpPort } from '@wirewatch/service';
import { z } from 'zod';

const webhookSchema = z
  .object({
    url: z.string().url().describe('Where the JSON POST goes.'),
    secret: z
      .string()
      .optional()
      .describe('HMAC-SHA256 key of the `X-Wirewatch-Signature` header; better from `secretFile`.'),
    secretFile: z.string().optional().describe('File holding `secret` (a trailing newline is ignored).'),
    timeoutMs: z.number().int().min(100).default(WEBHOOK_DEFAULTS.timeoutMs).describe('Timeout of one attempt.'),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(WEBHOOK_DEFAULTS.maxAttempts)
      .describe('Attempts, with backoff, before the notification counts as failed.'),
  })
  .describe('A signed JSON POST per notification.');

const emailSchema = z
  .object({
    host: z.string().describe('SMTP server.'),
    port: tcpPort.default(587).describe('SMTP port: 587 for STARTTLS, 465 with `secure`.'),
    secure: z.boolean().default(false).describe('Implicit TLS (port 465); otherwise STARTTLS as `starttls` says.'),
    starttls: z
      .enum(['required', 'opportunistic', 'off'])
      .default('opportunistic')
      .describe(
        'Without `secure`: `required` refuses to send unless the server upgrades to TLS; `opportunistic` upgrades when offered; `off` never does.',
      ),
    user: z.string().optional().describe('SMTP user (authentication only when a password is given too).'),
    password: z.string().optional().describe('SMTP password; better from `passwordFile`.'),
    passwordFile: z.string().optional().describe('File holding `password` (a trailing newline is ignored).'),
    caFile: z.string().optional().describe('CA certificate, PEM, to verify the SMTP server.'),
    rejectUnauthorized: z.boolean().default(true).describe('Refuse an SMTP server whose certificate does not verify.'),
    from: z.string().describe('Sender address.'),
    to: z.array(z.string()).min(1).describe('Recipients.'),
    timeoutMs: z.number().int().min(100).default(EMAIL_DEFAULTS.timeoutMs).describe('Timeout of one attempt.'),
  })
  .describe('An e-mail (text and HTML) per notification.');

export const receiverSchema = z
  .object({
    name: subjectToken.describe('What rules name in `receivers:`.'),
    webhook: webhookSchema.optional(),
    email: emailSchema.optional(),
  })
  .refine((r) => (r.webhook === undefined) !== (r.email === undefined), {
    message: 'give exactly one of webhook or email',
  });

export type ReceiverConfig = z.infer<typeof receiverSchema>;

export const alerterConfigSchema = z.object({
  nats: natsConfigSchema.prefault({}),
  consumer: durableConsumersSchema({
    names: { summaries: 'alerter-summaries', heartbeats: 'alerter-heartbeats' },
    maxWaitMs: 200,
    describe: {
      batchSize: 'Messages judged per batch (the state is saved before they are acknowledged).',
      maxWaitMs: 'How long a batch waits for more messages after its first (part of the alert latency).',
      ackWaitSeconds: 'How long JetStream waits for an ack before redelivering.',
      maxDeliver:
        'Deliveries of one message before JetStream gives up on it; the alerter then copies it to `wirewatch.deadletter.<consumer>` with reason `max_deliver` (docs/reliability.md). Applied to existing consumers at start.',
    },
  }).describe("The alerter's own durable consumers (not the collectors'): it sees every summary and heartbeat."),
  rules: z
    .string()
    .optional()
    .describe(
      'The rules file (docs/alert-rules.md); unset: the rules shipped with wirewatch. Rules later replaced through the API win over it.',
    ),
  receivers: z
    .array(receiverSchema)
    .default([])
    .describe(
      'Where notifications go, by name: each receiver has a `name` and exactly one of `webhook` or `email`. Set in the config file.',
    ),
  state: z
    .object({
      bucket: subjectToken
        .default('wirewatch_alerter')
        .describe('KV bucket of the alert state; the lease lives in `<bucket>_lease`.'),
      leaseSeconds: leaseSecondsSetting(
        'Lease lifetime: a standby replica takes over at most this long after the active one died.',
      ),
    })
    .prefault({})
    .describe('The engine state in JetStream KV, and the lease that keeps one alerter active.'),
  engine: z
    .object({
      maxGroupsPerRule: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .default(DEFAULT_MAX_GROUPS_PER_RULE)
        .describe(
          'Groups (sensors, sources, ports ...) one rule tracks. At the limit a new group evicts the least significant one if its value is larger, else it is refused; both are counted in `/metrics`, warned in `/healthz` and raised as the `rule-group-limit` alert (alert-rules.md).',
        ),
    })
    .prefault({})
    .describe("Bounds of the rule engine's memory."),
  influx: influxConfigSchema
    .extend({ enabled: z.boolean().default(false).describe('Write alert transitions to InfluxDB.') })
    .prefault({})
    .describe('Alert transitions also go to InfluxDB (measurement `alerts`) for Grafana annotations, when enabled.'),
  dashboardUrl: z.string().url().optional().describe('Link put in every notification.'),
  api: z
    .object({
      token: z
        .string()
        .min(16, 'use at least 16 characters')
        .optional()
        .describe(
          'Bearer token of the API; without it every route but /healthz, /readyz, /metrics and /openapi.json is refused.',
        ),
    })
    .prefault({})
    .describe('The rules, alerts and silences API (`/api/`, OpenAPI at `/openapi.json`).'),
  http: httpConfigSchema(9103, {
    host: {
      default: '127.0.0.1',
      description:
        'Address to listen on. Loopback by default, as the API can change rules and silences; `0.0.0.0` (every interface) to expose it, e.g. in a container.',
    },
    description: '`/healthz`, `/readyz`, `/metrics` and the API.',
  }),
  logLevel: logLevelSetting,
});

export type AlerterConfig = z.infer<typeof alerterConfigSchema>;
