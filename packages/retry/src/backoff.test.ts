import { describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { backoffDelay, pauseUnlessAborted, sleepUnlessAborted } from './backoff.js';

describe('backoffDelay', () => {
  const options = { minDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles per failure within [half, all] of the ceiling, capped at the maximum', () => {
    expect([1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, options, () => 1))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });
});

describe('sleepUnlessAborted', () => {
  it('rejects with the abort reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const sleeping = sleepUnlessAborted(60_000, controller.signal);
    controller.abort(new Error('closing'));
    await expect(sleeping).rejects.toThrow('closing');
  });

  it('resolves after the delay', async () => {
    const started = Date.now();
    await sleepUnlessAborted(20, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(19);
  });
});

describe('pauseUnlessAborted', () => {
  it('resolves (never rejects) when the signal aborts', async () => {
    const controller = new AbortController();
    const pausing = pauseUnlessAborted(60_000, controller.signal);
    controller.abort(new Error('closing'));
    await expect(pausing).resolves.toBeUndefined();
  });

  it('leaves no listener on a long-lived signal: a standby loop pauses thousands of times', async () => {
    const signal = new AbortController().signal;
    for (let i = 0; i < 50; i++) await pauseUnlessAborted(0, signal);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
