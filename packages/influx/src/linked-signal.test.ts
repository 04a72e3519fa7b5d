import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkedSignal } from './linked-signal.js';

describe('linkedSignal', () => {
  it('leaves no listener on a long-lived source once disposed', () => {
    const writer = new AbortController();
    for (let i = 0; i < 1000; i++) {
      const link = linkedSignal([writer.signal, undefined], 60_000);
      link.dispose();
    }
    expect(getEventListeners(writer.signal, 'abort')).toHaveLength(0);
  });

  it('aborts with the source, or on its timeout (and says which)', async () => {
    const source = new AbortController();
    const link = linkedSignal([source.signal]);
    source.abort(new Error('closed'));
    expect(link.signal.aborted).toBe(true);
    expect(link.timedOut).toBe(false);
    expect((link.signal.reason as Error).message).toBe('closed');
    const timed = linkedSignal([new AbortController().signal], 20);
    await new Promise((resolve) => timed.signal.addEventListener('abort', resolve, { once: true }));
    expect(timed.timedOut).toBe(true);
    expect((timed.signal.reason as Error).name).toBe('TimeoutError');
    expect(linkedSignal([source.signal], 10).signal.aborted).toBe(true);
  });
});
