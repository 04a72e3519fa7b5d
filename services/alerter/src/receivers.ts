import { createEmailReceiver, createWebhookReceiver, type NotificationReceiver } from '@wirewatch/notify';
import { readFileSync } from 'node:fs';
import type { ReceiverConfig } from './config.js';

/** Builds the configured receivers by name; secrets come from the config's `*File` settings or the environment. */
export function buildReceivers(configs: readonly ReceiverConfig[]): Map<string, NotificationReceiver> {
  const out = new Map<string, NotificationReceiver>();
  for (const c of configs) {
    if (out.has(c.name)) throw new Error(`receiver "${c.name}" is defined twice`);
    if (c.webhook) {
      const w = c.webhook;
      out.set(
        c.name,
        createWebhookReceiver({
          name: c.name,
          url: w.url,
          secret: secret(w.secret, w.secretFile),
          timeoutMs: w.timeoutMs,
          maxAttempts: w.maxAttempts,
        }),
      );
    } else if (c.email) {
      const e = c.email;
      const password = secret(e.password, e.passwordFile);
      out.set(
        c.name,
        createEmailReceiver({
          name: c.name,
          host: e.host,
          port: e.port,
          secure: e.secure ? true : undefined,
          starttls: e.secure ? undefined : e.starttls,
          auth: e.user !== undefined && password !== undefined ? { user: e.user, pass: password } : undefined,
          tls: { rejectUnauthorized: e.rejectUnauthorized, ca: e.caFile ? readFileSync(e.caFile, 'utf8') : undefined },
          from: e.from,
          to: e.to,
          timeoutMs: e.timeoutMs,
        }),
      );
    }
  }
  return out;
}

function secret(value: string | undefined, file: string | undefined): string | undefined {
  if (file !== undefined) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  return value;
}
