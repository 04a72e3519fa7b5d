import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { NodemailerError } from 'nodemailer/lib/errors.js';
import type { AlertNotification } from './alert-notification.js';
import { NotifyConfigError, requirePositiveInteger } from './config-error.js';
import type { NotificationReceiver } from './delivery.js';
import { renderAlertEmail } from './email-render.js';
import {
  createDeliveryContext,
  deliverWithRetries,
  type AttemptOutcome,
  type RetryEvent,
} from './retrying-delivery.js';

export type StartTlsMode = 'required' | 'opportunistic' | 'off';

export interface EmailReceiverOptions {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (usually port 465). When true, `starttls` does not apply. */
  secure?: boolean;
  /**
   * Without implicit TLS: 'required' fails unless the server upgrades with STARTTLS; 'opportunistic'
   * upgrades when the server offers it (and fails, rather than going on in clear, if that upgrade fails);
   * 'off' never upgrades. Default: 'required' when `auth` is set (no password in clear because a
   * man in the middle hid STARTTLS), else 'opportunistic'.
   */
  starttls?: StartTlsMode;
  auth?: { user: string; pass: string; method?: 'PLAIN' | 'LOGIN' };
  tls?: { rejectUnauthorized?: boolean; ca?: string | Buffer | (string | Buffer)[]; servername?: string };
  from: string;
  to: string[];
  /** Per attempt: connecting, each SMTP reply, and the whole transaction. */
  timeoutMs?: number;
  maxAttempts?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Name in results and logs; defaults to "email smtp://host:port". */
  name?: string;
  /** Called for each failed attempt that will be retried (to log a warning). */
  onRetry?: (event: RetryEvent) => void;
}

/** Defaults of an e-mail's delivery, stated once (the alerter's settings take them from here). */
export const EMAIL_DEFAULTS = { timeoutMs: 10_000, maxAttempts: 5 } as const;

export function createEmailReceiver(options: EmailReceiverOptions): NotificationReceiver {
  const timeoutMs = options.timeoutMs ?? EMAIL_DEFAULTS.timeoutMs;
  const retry = {
    maxAttempts: options.maxAttempts ?? EMAIL_DEFAULTS.maxAttempts,
    minDelayMs: options.minDelayMs ?? 1_000,
    maxDelayMs: options.maxDelayMs ?? 60_000,
  };
  validate(options, timeoutMs, retry);
  const secure = options.secure ?? false;
  const starttls = options.starttls ?? (options.auth ? 'required' : 'opportunistic');
  const name = options.name ?? `email ${secure ? 'smtps' : 'smtp'}://${options.host}:${options.port}`;
  const secrets = [options.auth?.pass];
  const context = createDeliveryContext(name, secrets, options.onRetry);

  const transport = createTransport({
    host: options.host,
    port: options.port,
    secure,
    requireTLS: !secure && starttls === 'required',
    ignoreTLS: !secure && starttls === 'off',
    opportunisticTLS: false,
    auth: options.auth ? { user: options.auth.user, pass: options.auth.pass, method: options.auth.method } : undefined,
    tls: { minVersion: 'TLSv1.2', ...options.tls },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  async function sendOnce(n: AlertNotification): Promise<AttemptOutcome> {
    const { subject, text, html } = renderAlertEmail(n);
    const incident = `<${createHash('sha256').update(`${n.dedupKey}\0${n.since}`).digest('hex').slice(0, 32)}@wirewatch.alert>`;
    try {
      await transport.sendMail({
        from: options.from,
        to: options.to,
        subject,
        text,
        html,
        // Mail clients thread the firing, repeat and resolved messages of one incident together.
        references: incident,
        inReplyTo: incident,
        headers: { 'X-Wirewatch-State': n.state, 'X-Wirewatch-Dedup-Key': n.dedupKey },
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), context.closed]),
      });
      return { kind: 'delivered' };
    } catch (error) {
      return classifySmtpError(error as NodemailerError, context.closed.aborted, timeoutMs);
    }
  }

  return {
    name,
    counters: context.counters,
    async send(notification: AlertNotification) {
      return deliverWithRetries(() => sendOnce(notification), retry, context);
    },
    close() {
      context.close();
      transport.close();
    },
  };
}

/**
 * SMTP 4xx replies and lost connections are worth another attempt; 5xx replies (bad password,
 * unknown recipient, message refused) are final, as are TLS failures (a certificate does not fix itself).
 */
export function classifySmtpError(error: NodemailerError, closed: boolean, timeoutMs: number): AttemptOutcome {
  if (closed) return { kind: 'permanent', reason: 'receiver closed' };
  if (error.code === 'EABORT')
    return { kind: 'transient', reason: `SMTP transaction not finished within ${timeoutMs} ms` };
  const reason = describeSmtpError(error);
  if (error.responseCode !== undefined) {
    return error.permanent === false || error.responseCode < 500
      ? { kind: 'transient', reason }
      : { kind: 'permanent', reason };
  }
  const final = ['ETLS', 'EREQUIRETLS', 'ENOAUTH', 'EENVELOPE', 'ECONFIG', 'EMESSAGE'];
  const certificateProblem = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(error.originalCode ?? '');
  return certificateProblem || (error.code !== undefined && final.includes(error.code))
    ? { kind: 'permanent', reason }
    : { kind: 'transient', reason };
}

/** "SMTP 535 Authentication credentials invalid (AUTH PLAIN)", "self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)". */
function describeSmtpError(error: NodemailerError): string {
  // CONN and API are nodemailer's names for "no SMTP command in flight".
  const command = error.command && error.command !== 'CONN' && error.command !== 'API' ? ` (${error.command})` : '';
  if (error.response && error.command === 'STARTTLS')
    return `server refused STARTTLS, which starttls 'required' needs: SMTP ${error.response}`;
  if (error.response) return `SMTP ${error.response}${command}`;
  const message = error.message || String(error);
  const code = error.originalCode ?? error.code;
  return code && !message.includes(code) ? `${message} (${code})${command}` : `${message}${command}`;
}

function validate(
  options: EmailReceiverOptions,
  timeoutMs: number,
  retry: { maxAttempts: number; minDelayMs: number; maxDelayMs: number },
) {
  if (!options.host) throw new NotifyConfigError('email: host is required');
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535) {
    throw new NotifyConfigError(`email: port must be 1-65535, got ${String(options.port)}`);
  }
  if (options.secure && options.starttls !== undefined) {
    throw new NotifyConfigError('email: starttls applies only without secure (implicit TLS); set one of them');
  }
  if (!options.from) throw new NotifyConfigError('email: from is required');
  if (options.to.length === 0) throw new NotifyConfigError('email: to needs at least one address');
  requirePositiveInteger('email', 'timeoutMs', timeoutMs);
  requirePositiveInteger('email', 'maxAttempts', retry.maxAttempts);
  requirePositiveInteger('email', 'minDelayMs', retry.minDelayMs);
  requirePositiveInteger('email', 'maxDelayMs', retry.maxDelayMs);
  if (retry.minDelayMs > retry.maxDelayMs) throw new NotifyConfigError('email: minDelayMs is larger than maxDelayMs');
}
