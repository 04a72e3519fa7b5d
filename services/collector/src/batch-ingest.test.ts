import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createInfluxWriter, InfluxWriteError } from '@wirewatch/influx';
import type { Rejection } from '@wirewatch/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startInfluxV1,
  startNats,
  waitFor,
  type InfluxV1Handle,
  type NatsHandle,
} from '../../../tests/harness/index.js';
import { ensureDurableConsumer } from '@wirewatch/bus';
import { BatchIngest } from './batch-ingest.js';

/** BatchIngest on real servers: messages pulled from nats-server, written to influxd 1.6.7. */
let nats: NatsHandle;
let influx: InfluxV1Handle;
let nc: NatsConnection;
const NOW = Date.now();

beforeAll(async () => {
  [nats, influx] = await Promise.all([startNats(), startInfluxV1()]);
  nc = await connect({ servers: nats.url });
  await (await jetstreamManager(nc)).streams.add({ name: 'BI', subjects: ['bi.>'] });
  await influx.query('CREATE DATABASE hour WITH DURATION 1h');
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await Promise.allSettled([nats?.dispose(), influx?.dispose()]);
});

/** Publishes one line per message on `bi.<consumer>` and pulls them back as one batch of a fresh consumer. */
async function batchOf(consumer: string, lines: string[]): Promise<JsMsg[]> {
  const js = jetstream(nc);
  for (const line of lines) await js.publish(`bi.${consumer}`, line);
  await ensureDurableConsumer(await jetstreamManager(nc), {
    stream: 'BI',
    name: consumer,
    filterSubject: `bi.${consumer}`,
    ackWaitMs: 60_000,
  });
  const batch: JsMsg[] = [];
  for await (const m of await (
    await js.consumers.get('BI', consumer)
  ).fetch({ max_messages: lines.length, expires: 5000 })) {
    batch.push(m);
    if (batch.length === lines.length) break;
  }
  return batch;
}

async function unacked(consumer: string): Promise<number> {
  return (await (await jetstreamManager(nc)).consumers.info('BI', consumer)).num_ack_pending;
}

function ingest(url: string, signal?: AbortSignal) {
  const writer = createInfluxWriter({
    url,
    api: 'v1',
    database: 'hour',
    precision: 'ms',
    minRetryDelayMs: 50,
    maxRetryDelayMs: 100,
  });
  let writes = 0;
  const deadLettered: Array<{ line: string; rejection: Rejection }> = [];
  const ingest = new BatchIngest({
    convert: (data) => ({ ok: true, lines: [new TextDecoder().decode(data)] }),
    write: (lines) => {
      writes++;
      return writer.write(lines, { signal });
    },
    deadLetter: async (m, rejection) => {
      deadLettered.push({ line: m.string(), rejection });
    },
    onFirstRejection: () => undefined,
    signal,
  });
  return { ingest, writer, deadLettered, writes: () => writes };
}

describe('BatchIngest', () => {
  it('splits a batch influxd refuses down to the messages refused alone: those dead-lettered with its reason, the rest written and acked', async () => {
    const lines = Array.from(
      { length: 16 },
      (_, i) => `bi,n=${i} v=${i} ${i === 5 || i === 11 ? NOW - 3 * 3600_000 : NOW - i * 1000}`,
    );
    const batch = await batchOf('split', lines);
    const { ingest: i, deadLettered, writes, writer } = ingest(influx.url);
    await i.handle(batch);
    expect(deadLettered.map((d) => d.line)).toEqual([lines[5], lines[11]]);
    for (const d of deadLettered)
      expect(d.rejection).toMatchObject({
        kind: 'influx_beyond_retention',
        detail: expect.stringMatching(/points beyond retention policy/),
      });
    expect(i.accepted).toBe(14);
    expect(i.rejections.byKind()).toEqual({ influx_beyond_retention: 2 });
    // the batch, its two halves, then at each level only the refused halves split again: 1 + 2 + 4 + 4 + 4
    expect(writes()).toBe(1 + 2 + 4 + 4 + 4);
    expect(await unacked('split')).toBe(0);
    const stored = await influx.query('SELECT count(v) FROM bi', 'hour');
    expect(JSON.stringify(stored)).toContain(',14]');
    await writer.close();
  });

  it('an unreachable database is retried in the write, never split nor dead-lettered; the batch stays unacknowledged', async () => {
    const batch = await batchOf('down', ['bi,n=1 v=1', 'bi,n=2 v=2', 'bi,n=3 v=3']);
    const abort = new AbortController();
    const { ingest: i, deadLettered, writes, writer } = ingest(`http://127.0.0.1:${await freePort()}`, abort.signal);
    const handled = i.handle(batch);
    await waitFor(() => writer.stats.failedAttempts > 2, { what: 'a few failed attempts' });
    abort.abort();
    const error = await handled.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfluxWriteError);
    expect((error as InfluxWriteError).kind).toBe('aborted');
    expect(writes()).toBe(1);
    expect(writer.stats.failedAttempts).toBeGreaterThan(2);
    expect(deadLettered).toEqual([]);
    expect(await unacked('down')).toBe(3);
    await writer.close();
  });
});
