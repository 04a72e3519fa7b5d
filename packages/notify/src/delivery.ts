import type { AlertNotification } from './alert-notification.js';

export type DeliveryResult =
  | { delivered: true; receiver: string; attempts: number; elapsedMs: number }
  | {
      delivered: false;
      receiver: string;
      attempts: number;
      elapsedMs: number;
      /** One line, free of secrets: why the last attempt failed (or why no attempt was made). */
      reason: string;
      /** True when retrying later would fail the same way (e.g. HTTP 400, SMTP 535, receiver closed). */
      permanent: boolean;
    };

/** Live counters for Prometheus; monotonic except `inFlight`. */
export interface DeliveryCounters {
  /** Notifications delivered. */
  sent: number;
  /** Notifications given up on. */
  failed: number;
  /** Attempts made after a failed one. */
  retries: number;
  /** send() calls not finished yet. */
  inFlight: number;
}

export interface NotificationReceiver {
  /** Used in results and logs; holds no secret (no URL path, no password). */
  readonly name: string;
  readonly counters: Readonly<DeliveryCounters>;
  /** Never rejects. Calls are independent: a slow one does not hold back another. */
  send(notification: AlertNotification): Promise<DeliveryResult>;
  /** Stops waiting: attempts and backoff waits in progress end at once with a failed result. */
  close(): void;
}

export function createDeliveryCounters(): DeliveryCounters {
  return { sent: 0, failed: 0, retries: 0, inFlight: 0 };
}
