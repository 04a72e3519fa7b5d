import { z } from 'zod';
import type { NatsOptions } from './connection.js';

/** NATS settings every service shares (config file `nats:`, environment `WIREWATCH_NATS_*`). */
export const natsConfigSchema = z.object({
  /** Comma-separated in the environment: `WIREWATCH_NATS_SERVERS=nats://a:4222,nats://b:4222`. */
  servers: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
    .pipe(z.array(z.string().regex(/^(nats|tls|wss?):\/\/[^\s]+$/, 'expected nats://host:port or tls://host:port')).min(1))
    .default(['nats://127.0.0.1:4222']),
  user: z.string().optional(),
  password: z.string().optional(),
  token: z.string().optional(),
  credsFile: z.string().optional(),
  tls: z.object({ caFile: z.string().optional(), certFile: z.string().optional(), keyFile: z.string().optional() }).default({}),
  /** JetStream stream settings; every service makes sure the stream exists (idempotent) unless told not to. */
  stream: z.string().default('WIREWATCH'),
  replicas: z.number().int().min(1).max(5).default(1),
  manageStreams: z.boolean().default(true),
});

export type NatsConfig = z.infer<typeof natsConfigSchema>;

/** The connection part of the settings, for `connectNats`. */
export function natsOptions(config: NatsConfig): NatsOptions {
  return {
    servers: config.servers,
    user: config.user,
    password: config.password,
    token: config.token,
    credsFile: config.credsFile,
    tls: config.tls,
  };
}
