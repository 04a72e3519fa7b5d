export interface BackoffOptions {
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with "equal jitter": the wait after the n-th failed attempt lies between half and
 * all of min·2^(n-1), capped at max, so that clients that failed together do not retry together.
 */
export function backoffDelay(
  failedAttempts: number,
  { minDelayMs, maxDelayMs }: BackoffOptions,
  random = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(failedAttempts - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Resolves after `ms`, or rejects with `signal.reason` (wrapped if not an Error) as soon as `signal` aborts. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`, { cause: reason });
}

/**
 * Waits `ms`, or less if `signal` aborts first; never rejects. The abort listener is removed when the
 * timer fires, so a loop that pauses on a long-lived signal does not pile up listeners.
 */
export function pauseUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  return sleepUnlessAborted(ms, signal).catch(() => undefined);
}
