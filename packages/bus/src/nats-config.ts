import { HEARTBEAT_SUBJECTS, STREAM_NAME, SUMMARY_SUBJECTS, subjectToken } from '@wirewatch/protocol';
import { z } from 'zod';
import type { NatsOptions } from './connection.js';
import { DEFAULT_MAX_DELIVER } from './consumer.js';

/** NATS settings every service shares (config file `nats:`, environment `WIREWATCH_NATS_*`). */
export const natsConfigSchema = z
  .object({
    servers: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
      .pipe(
        z
          .array(z.string().regex(/^(nats|tls|wss?):\/\/[^\s]+$/, 'expected nats://host:port or tls://host:port'))
          .min(1),
      )
      .default(['nats://127.0.0.1:4222'])
      .describe(
        'NATS server URLs: `nats://host:4222`, or `tls://host:4222` to require TLS. List several nodes of a cluster (comma-separated in the environment: `nats://a:4222,nats://b:4222`).',
      ),
    user: z
      .string()
      .optional()
      .describe(
        'User for user/password authentication; the password from `WIREWATCH_NATS_PASSWORD_FILE` (or `WIREWATCH_NATS_PASSWORD`).',
      ),
    password: z.string().optional().describe('Password of `user`.'),
    token: z.string().optional().describe('Token authentication (instead of a user and password).'),
    credsFile: z
      .string()
      .optional()
      .describe(
        'A `.creds` file (user JWT and nkey seed) issued by `nsc`, for decentralized (operator/account) authentication. Keep it readable by the service only.',
      ),
    nkeySeedFile: z
      .string()
      .optional()
      .describe(
        "A file with this service's NKey seed (`SU...`), for a server that lists the user by its public key (`wirewatch credentials sensor ID` makes one for a sensor). Keep it readable by the service only.",
      ),
    inboxPrefix: z
      .string()
      .regex(
        /^_INBOX(\.[A-Za-z0-9_-]+)*$/,
        'expected _INBOX or _INBOX.<token>[.<token>...] (letters, digits, "_" or "-")',
      )
      .optional()
      .describe(
        "Prefix of this service's reply subjects (JetStream acks, pulled messages, KV reads), so that its NATS user may subscribe to `<prefix>.>` only and never read another client's replies. The shipped accounts (deploy/nats/accounts.conf) expect `_INBOX.collector` for collectors and `_INBOX.alerter` for the alerter; a sensor defaults to `_INBOX.sensor.<id>`, other services to nats.js's `_INBOX`.",
      ),
    tls: z
      .object({
        caFile: z
          .string()
          .optional()
          .describe("CA certificate(s), PEM, that signed the NATS server's certificate; unset: the system's CAs."),
        certFile: z.string().optional().describe('Client certificate, PEM, for mutual TLS (with `keyFile`).'),
        keyFile: z
          .string()
          .optional()
          .describe('Private key, PEM, of `certFile`. Keep it readable by the service only.'),
      })
      .prefault({})
      .describe('TLS to NATS: giving any of these files turns TLS on, as a `tls://` URL does.'),
    stream: z
      .string()
      .default(STREAM_NAME)
      .describe(
        'JetStream stream that carries `wirewatch.v1.>`. Every service of a deployment must name the same one.',
      ),
    replicas: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(1)
      .describe(
        "Copies of every message across a NATS cluster, for the streams this service creates (and the alerter's state bucket): 1 on a single server, 3 on a three-node cluster. An existing stream is not changed: `wirewatch streams apply` does that, as the operator.",
      ),
    manageStreams: z
      .boolean()
      .default(true)
      .describe(
        "Create the streams at start where they are missing (never change an existing one; a difference from these settings is logged). Turn off when an operator manages them and the service's NATS user may not.",
      ),
  })
  .describe('Connection to NATS JetStream (shared by every service).');

export type NatsConfig = z.infer<typeof natsConfigSchema>;

/** The connection part of the settings, for `connectNats`. */
export function natsOptions(config: NatsConfig): NatsOptions {
  return {
    servers: config.servers,
    user: config.user,
    password: config.password,
    token: config.token,
    credsFile: config.credsFile,
    nkeySeedFile: config.nkeySeedFile,
    inboxPrefix: config.inboxPrefix,
    tls: config.tls,
  };
}

/** Where a sensor's replies (JetStream acks) arrive unless `nats.inboxPrefix` says otherwise: one prefix per sensor, which its NATS user alone may read. */
export function sensorInboxPrefix(id: string): string {
  return `_INBOX.sensor.${id}`;
}

export interface DurableConsumersOptions {
  /** The durable names, defaults of `summaries` and `heartbeats`. */
  names: { summaries: string; heartbeats: string };
  /** Default of `maxWaitMs`. */
  maxWaitMs: number;
  /** What each setting means for this service. */
  describe: { batchSize: string; maxWaitMs: string; ackWaitSeconds: string; maxDeliver: string };
}

/**
 * `consumer:` of the services that consume (collector, alerter): one range and default per setting,
 * each service its own names and descriptions. Names are subject tokens: a rejected message is copied
 * to `wirewatch.deadletter.<consumer>`.
 */
export function durableConsumersSchema(options: DurableConsumersOptions) {
  return z
    .object({
      summaries: subjectToken.default(options.names.summaries).describe(`Durable consumer of \`${SUMMARY_SUBJECTS}\`.`),
      heartbeats: subjectToken
        .default(options.names.heartbeats)
        .describe(`Durable consumer of \`${HEARTBEAT_SUBJECTS}\`.`),
      batchSize: z.number().int().min(1).max(10_000).default(500).describe(options.describe.batchSize),
      maxWaitMs: z.number().int().min(10).max(60_000).default(options.maxWaitMs).describe(options.describe.maxWaitMs),
      ackWaitSeconds: z.number().min(1).max(3600).default(30).describe(options.describe.ackWaitSeconds),
      maxDeliver: z.number().int().min(2).max(1000).default(DEFAULT_MAX_DELIVER).describe(options.describe.maxDeliver),
    })
    .prefault({});
}

/** `leaseSeconds` of a service that holds a leader lease (collector fleet merge, alerter): one range and default. */
export function leaseSecondsSetting(description: string) {
  return z.number().min(1).max(600).default(10).describe(description);
}
