import { backoffDelay, sleepUnlessAborted, type BackoffOptions } from '@wirewatch/retry';
import { createDeliveryCounters, type DeliveryCounters, type DeliveryResult } from './delivery.js';
import { oneLineWithoutSecrets } from './one-line.js';

export type AttemptOutcome =
  | { kind: 'delivered' }
  /** `retryAfterMs`: the server's own wish (Retry-After); never retried sooner. */
  | { kind: 'transient'; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; reason: string };

export interface RetryOptions extends BackoffOptions {
  maxAttempts: number;
}

/** A failed attempt that will be retried, for a warning in the log. */
export interface RetryEvent {
  receiver: string;
  attempt: number;
  reason: string;
  retryInMs: number;
}

export interface DeliveryContext {
  receiver: string;
  counters: DeliveryCounters;
  closed: AbortSignal;
  /** Applied to every reason that leaves: one line, secrets removed. */
  redact: (reason: string) => string;
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/**
 * What every receiver sets up once: its counters, a signal that ends waits when it closes, and reasons
 * redacted of its `secrets`. `close()` aborts the waits of deliveries still retrying.
 */
export function createDeliveryContext(
  receiver: string,
  secrets: ReadonlyArray<string | undefined>,
  onRetry: DeliveryContext['onRetry'],
): DeliveryContext & { close(): void } {
  const closing = new AbortController();
  return {
    receiver,
    counters: createDeliveryCounters(),
    closed: closing.signal,
    redact: (reason) => oneLineWithoutSecrets(reason, secrets),
    onRetry,
    close: () => closing.abort(new Error('receiver closed')),
  };
}

/**
 * Runs `attempt` until it delivers, fails permanently, or `maxAttempts` are spent, waiting with backoff
 * between attempts. `attempt` gets the attempt number and must not throw (a throw counts as permanent).
 * Aborting `closed` ends the wait at once with a permanent failure.
 */
export async function deliverWithRetries(
  attempt: (attemptNumber: number) => Promise<AttemptOutcome>,
  options: RetryOptions,
  { receiver, counters, closed, redact, onRetry }: DeliveryContext,
): Promise<DeliveryResult> {
  const startedAt = performance.now();
  const elapsed = () => Math.round(performance.now() - startedAt);
  counters.inFlight += 1;
  try {
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      if (closed.aborted) return failed(attemptNumber - 1, 'receiver closed', true);
      const outcome = await attempt(attemptNumber).catch((error: unknown): AttemptOutcome => ({
        kind: 'permanent',
        reason: `internal error: ${String(error)}`,
      }));
      if (outcome.kind === 'delivered') {
        counters.sent += 1;
        return { delivered: true, receiver, attempts: attemptNumber, elapsedMs: elapsed() };
      }
      if (outcome.kind === 'permanent') return failed(attemptNumber, outcome.reason, true);
      if (attemptNumber >= options.maxAttempts) return failed(attemptNumber, outcome.reason, false);
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > options.maxDelayMs) {
        const asked = Math.ceil(outcome.retryAfterMs / 1_000);
        return failed(
          attemptNumber,
          `${outcome.reason}; server asked to retry after ${asked} s, beyond maxDelayMs`,
          false,
        );
      }
      const delayMs = Math.max(backoffDelay(attemptNumber, options), outcome.retryAfterMs ?? 0);
      try {
        onRetry?.({ receiver, attempt: attemptNumber, reason: redact(outcome.reason), retryInMs: delayMs });
      } catch {
        // A failing log hook must not stop the delivery.
      }
      try {
        await sleepUnlessAborted(delayMs, closed);
      } catch {
        return failed(attemptNumber, `receiver closed while waiting to retry (${outcome.reason})`, true);
      }
      counters.retries += 1;
    }
  } finally {
    counters.inFlight -= 1;
  }

  function failed(attempts: number, reason: string, permanent: boolean): DeliveryResult {
    counters.failed += 1;
    return { delivered: false, receiver, attempts, elapsedMs: elapsed(), reason: redact(reason), permanent };
  }
}
