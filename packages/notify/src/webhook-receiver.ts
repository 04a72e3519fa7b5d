import { randomUUID } from 'node:crypto';
import type { AlertNotification } from './alert-notification.js';
import { parseRetryAfter } from '@wirewatch/retry';
import { NotifyConfigError, requirePositiveInteger } from './config-error.js';
import type { NotificationReceiver } from './delivery.js';
import {
  createDeliveryContext,
  deliverWithRetries,
  type AttemptOutcome,
  type RetryEvent,
} from './retrying-delivery.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookBody } from './webhook-signature.js';

export interface WebhookReceiverOptions {
  /** http(s) URL; may hold a token in its path (it never appears in results). No user:password@. */
  url: string;
  /** Shared secret for X-Wirewatch-Signature; without it requests are unsigned. */
  secret?: string;
  /** Per attempt, headers and body included. */
  timeoutMs?: number;
  maxAttempts?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Extra request headers, e.g. Authorization. */
  headers?: Record<string, string>;
  /** Name in results and logs; defaults to "webhook <origin>". */
  name?: string;
  /** Called for each failed attempt that will be retried (to log a warning). */
  onRetry?: (event: RetryEvent) => void;
}

export const WEBHOOK_BODY_VERSION = 1;
/** The same for every attempt of one send(), so a receiver can drop a repeat of a request it already handled. */
export const DELIVERY_ID_HEADER = 'X-Wirewatch-Delivery';

const SENSITIVE_HEADER = /authorization|token|key|secret|cookie|signature|password/i;

/** Defaults of a webhook's delivery, stated once (the alerter's settings take them from here). */
export const WEBHOOK_DEFAULTS = { timeoutMs: 5_000, maxAttempts: 5 } as const;

export function createWebhookReceiver(options: WebhookReceiverOptions): NotificationReceiver {
  const url = parseWebhookUrl(options.url);
  const timeoutMs = options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs;
  const retry = {
    maxAttempts: options.maxAttempts ?? WEBHOOK_DEFAULTS.maxAttempts,
    minDelayMs: options.minDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 30_000,
  };
  requirePositiveInteger('webhook', 'timeoutMs', timeoutMs);
  requirePositiveInteger('webhook', 'maxAttempts', retry.maxAttempts);
  requirePositiveInteger('webhook', 'minDelayMs', retry.minDelayMs);
  requirePositiveInteger('webhook', 'maxDelayMs', retry.maxDelayMs);
  if (retry.minDelayMs > retry.maxDelayMs) throw new NotifyConfigError('webhook: minDelayMs is larger than maxDelayMs');
  if (options.secret === '')
    throw new NotifyConfigError('webhook: secret is empty; leave it out to send unsigned requests');

  const name = options.name ?? `webhook ${url.origin}`;
  const extraHeaders = options.headers ?? {};
  const secrets = [
    options.secret,
    url.href,
    url.pathname.length > 1 ? url.pathname : undefined,
    url.search || undefined,
    ...Object.entries(extraHeaders)
      .filter(([header]) => SENSITIVE_HEADER.test(header))
      .map(([, value]) => value),
  ];
  const context = createDeliveryContext(name, secrets, options.onRetry);

  async function postOnce(body: string, deliveryId: string): Promise<AttemptOutcome> {
    const timestamp = Math.floor(Date.now() / 1_000);
    const headers: Record<string, string> = {
      ...extraHeaders,
      'Content-Type': 'application/json',
      'User-Agent': 'wirewatch-notify/1',
      [TIMESTAMP_HEADER]: String(timestamp),
      [DELIVERY_ID_HEADER]: deliveryId,
    };
    if (options.secret !== undefined) headers[SIGNATURE_HEADER] = signWebhookBody(body, options.secret, timestamp);
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), context.closed]);
    try {
      const response = await fetch(url, { method: 'POST', body, headers, signal, redirect: 'manual' });
      // The status is all we need; cancelling the body releases the connection.
      await response.body?.cancel().catch(() => undefined);
      return classifyResponse(response);
    } catch (error) {
      if (context.closed.aborted) return { kind: 'permanent', reason: 'receiver closed' };
      if (error instanceof Error && error.name === 'TimeoutError') {
        return { kind: 'transient', reason: `no response within ${timeoutMs} ms` };
      }
      return { kind: 'transient', reason: `network error: ${describeNetworkError(error)}` };
    }
  }

  function classifyResponse(response: Response): AttemptOutcome {
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    if (response.status >= 200 && response.status < 300) return { kind: 'delivered' };
    if (response.status === 408 || response.status === 429 || response.status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      return retryAfterMs === undefined
        ? { kind: 'transient', reason: status }
        : { kind: 'transient', reason: status, retryAfterMs };
    }
    if (response.status >= 300 && response.status < 400) {
      return { kind: 'permanent', reason: `${status}: redirects are not followed, configure the final URL` };
    }
    return { kind: 'permanent', reason: status };
  }

  return {
    name,
    counters: context.counters,
    async send(notification: AlertNotification) {
      const body = JSON.stringify({ version: WEBHOOK_BODY_VERSION, ...notification });
      const deliveryId = randomUUID();
      return deliverWithRetries(() => postOnce(body, deliveryId), retry, context);
    },
    close() {
      context.close();
    },
  };
}

function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new NotifyConfigError('webhook: url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NotifyConfigError(`webhook: url must be http or https, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new NotifyConfigError(
      'webhook: url must not hold user:password, use headers: { Authorization: ... } instead',
    );
  }
  return url;
}

/** fetch says only "fetch failed"; the cause says what happened (ECONNREFUSED, ENOTFOUND, a TLS error...). */
function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const errors = (cause as { errors?: unknown }).errors;
    if (cause instanceof AggregateError && Array.isArray(errors) && errors[0] instanceof Error)
      return errors[0].message;
    return cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}
