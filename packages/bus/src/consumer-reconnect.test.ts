import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startNats, waitFor, type NatsHandle } from '../../../tests/harness/index.js';
import { ensureDurableConsumer, runBatchConsumer, type BatchConsumerOptions } from './consumer.js';

const STREAM = 'RECONNECT';
const CONSUMER = 'reconnect-test';
/** Longer than any wait below: a message that only came back after its ack wait would fail the test. */
const ACK_WAIT_MS = 60_000;

let nats: NatsHandle;
let nc: NatsConnection;

beforeEach(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: STREAM, subjects: ['reconnect.>'] });
  await ensureDurableConsumer(jsm, {
    stream: STREAM,
    name: CONSUMER,
    filterSubject: 'reconnect.>',
    ackWaitMs: ACK_WAIT_MS,
  });
});

afterEach(async () => {
  await nc?.close();
  await nats?.dispose();
});

/** Runs the consumer, recording what the handler was given (and acknowledging it) and the errors it saw. */
function consume(options: Pick<BatchConsumerOptions, 'batchSize' | 'maxWaitMs'>) {
  const abort = new AbortController();
  const handled: string[][] = [];
  const errors: string[] = [];
  const running = runBatchConsumer(nc, {
    ...options,
    stream: STREAM,
    name: CONSUMER,
    ackWaitMs: ACK_WAIT_MS,
    signal: abort.signal,
    handle: async (batch: JsMsg[]) => {
      handled.push(batch.map((m) => m.string()));
      for (const m of batch) m.ack();
    },
    onError: (error) => errors.push((error as Error).message),
  });
  return {
    handled,
    errors,
    all: () => handled.flat(),
    async stop() {
      abort.abort();
      await running;
    },
  };
}

/** Publishes each body (its own message id, so a retry while JetStream is still starting up is not a duplicate). */
async function publish(...bodies: string[]): Promise<void> {
  const js = jetstream(nc);
  for (const body of bodies) {
    await waitFor(async () => Boolean(await js.publish('reconnect.x', body, { msgID: body })), {
      what: `${body} published`,
      timeoutMs: 15_000,
    });
  }
}

async function ackPending(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.consumers.info(STREAM, CONSUMER)).num_ack_pending;
}

describe('runBatchConsumer across a NATS restart (same store)', () => {
  it('hands over the batch it had open when the server shut down, at once rather than after the ack wait, and goes on consuming', async () => {
    // A batch window far longer than the test: only the pull failing can close it.
    const consumer = consume({ batchSize: 100, maxWaitMs: 120_000 });
    try {
      await publish('a', 'b', 'c');
      await waitFor(async () => (await ackPending()) === 3, {
        what: 'three messages delivered into the open batch',
        timeoutMs: 10_000,
      });
      expect(consumer.handled).toEqual([]);

      await nats.stop();
      await waitFor(() => consumer.all().length === 3, { what: 'the open batch handled', timeoutMs: 5_000 });
      expect(consumer.handled).toEqual([['a', 'b', 'c']]);
      expect(consumer.errors.length).toBeGreaterThan(0);

      await nats.start();
      await publish('d');
      await waitFor(async () => (await ackPending()) === 1, {
        what: 'a message published after the restart delivered',
        timeoutMs: 15_000,
      });
      // Still within its window: nothing was handled twice, and 'd' waits in the next open batch.
      expect(consumer.all()).toEqual(['a', 'b', 'c']);
    } finally {
      await consumer.stop();
    }
  });

  it('keeps consuming after the server is killed (no goodbye to the pull) and started again', async () => {
    const consumer = consume({ batchSize: 100, maxWaitMs: 200 });
    try {
      await publish('before');
      await waitFor(() => consumer.all().includes('before'), {
        what: 'a message handled before the kill',
        timeoutMs: 10_000,
      });

      await nats.kill();
      await nats.start();
      await publish('after-1', 'after-2');
      await waitFor(() => consumer.all().includes('after-2'), {
        what: 'messages published after the restart handled',
        timeoutMs: 15_000,
      });
      // A kill may cost the server its record of the last acknowledgement, so 'before' may come again (at least once).
      expect(new Set(consumer.all())).toEqual(new Set(['before', 'after-1', 'after-2']));
    } finally {
      await consumer.stop();
    }
  });
});
