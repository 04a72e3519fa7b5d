export interface BackoffOptions {
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with "equal jitter": the wait after the n-th failed attempt lies between half and
 * all of min·2^(n-1), capped at max, so that deliveries that failed together do not retry together.
 */
export function backoffDelay(failedAttempts: number, { minDelayMs, maxDelayMs }: BackoffOptions, random = Math.random): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(failedAttempts - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Milliseconds a Retry-After header asks for (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (header == null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // Every HTTP-date form ends in GMT; anything else (e.g. "-5", which Date.parse reads as a year) is refused.
  const date = /GMT$/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Resolves after `ms`, or rejects with `signal.reason` as soon as `signal` aborts. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
