import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsHandle } from '../../../tests/harness/index.js';
import { retryingTimeouts } from './streams.js';

let nats: NatsHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

describe('retryingTimeouts (a stream create another service is making at the same time)', () => {
  it('tries again after a timeout, after a wait of 0.5 to 1 s', async () => {
    // A subscriber that never answers: nats.js's own TimeoutError, as a create racing another one gets.
    const silent = nc.subscribe('silent');
    let attempts = 0;
    const started = Date.now();
    const result = await retryingTimeouts(async () => {
      if (++attempts === 1) await nc.request('silent', new Uint8Array(), { timeout: 100 });
      return (await jetstreamManager(nc)).getAccountInfo();
    });
    silent.unsubscribe();
    expect(attempts).toBe(2);
    expect(result.streams).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100 + 500);
  });

  it("passes any other failure on at once (the server's answer, or a message that merely says timeout)", async () => {
    const jsm = await jetstreamManager(nc);
    for (const attempt of [() => jsm.streams.info('MISSING'), () => Promise.reject(new Error('timeout'))]) {
      let attempts = 0;
      await expect(retryingTimeouts(() => (attempts++, attempt()))).rejects.toThrow(/stream not found|timeout/);
      expect(attempts).toBe(1);
    }
  });
});
