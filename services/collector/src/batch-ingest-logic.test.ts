import type { JsMsg } from '@nats-io/jetstream';
import { InfluxWriteError } from '@wirewatch/influx';
import type { Rejection } from '@wirewatch/protocol';
import { describe, expect, it } from 'vitest';
import { BatchIngest, type Converted } from './batch-ingest.js';

/**
 * BatchIngest's decisions with plain objects: messages that only record how they were settled, and a
 * database stand-in that refuses what a rule says. The same paths against nats-server and influxd 1.6.7
 * are in batch-ingest.test.ts; this file runs in `pnpm test:unit`.
 */
interface Settled {
  message: JsMsg;
  outcome: () => 'ack' | 'term' | 'nak' | 'open';
}

function messageOf(body: string, subject = 'wirewatch.v1.summary.edge1'): Settled {
  let outcome: 'ack' | 'term' | 'nak' | 'open' = 'open';
  const settle = (to: 'ack' | 'term' | 'nak') => () => {
    if (outcome !== 'open') throw new Error(`${body} settled twice (${outcome}, then ${to})`);
    outcome = to;
  };
  const message = {
    data: new TextEncoder().encode(body),
    subject,
    redelivered: false,
    ack: settle('ack'),
    term: settle('term'),
    nak: settle('nak'),
  } as unknown as JsMsg;
  return { message, outcome: () => outcome };
}

/** Each message's body is its one line; a body starting with `invalid` fails validation. */
function convert(data: Uint8Array): Converted {
  const line = new TextDecoder().decode(data);
  return line.startsWith('invalid')
    ? { ok: false, rejection: { kind: 'schema', detail: line } }
    : { ok: true, lines: [line] };
}

/** A database that refuses a whole request (no partial writes) when any line contains `poison`. */
function allOrNothingDatabase() {
  const stored: string[] = [];
  const requests: string[][] = [];
  const write = (lines: string[]) => {
    requests.push(lines);
    const bad = lines.find((l) => l.includes('poison'));
    if (bad !== undefined)
      return Promise.reject(
        new InfluxWriteError(
          'bad-data',
          `refused: ${bad}`,
          400,
          undefined,
          'field type conflict: already exists as type float',
        ),
      );
    stored.push(...lines);
    return Promise.resolve();
  };
  return { stored, requests, write };
}

function ingestWith(database: { write: (lines: string[]) => Promise<void> }) {
  const deadLetters: Array<{ body: string; rejection: Rejection }> = [];
  const firstRejections: string[] = [];
  const ingest = new BatchIngest({
    convert,
    write: database.write,
    deadLetter: (m, rejection) => {
      deadLetters.push({ body: new TextDecoder().decode(m.data), rejection });
      return Promise.resolve();
    },
    onFirstRejection: (rejection) => firstRejections.push(rejection.kind),
  });
  return { ingest, deadLetters, firstRejections };
}

describe('BatchIngest (plain objects)', () => {
  it('isolates the one poison message of a batch by halving, writes and acks the rest, dead-letters it with the reason', async () => {
    const db = allOrNothingDatabase();
    const { ingest, deadLetters } = ingestWith(db);
    const batch = Array.from({ length: 16 }, (_, i) => messageOf(i === 11 ? `m${i} poison` : `m${i}`));

    await ingest.handle(batch.map((b) => b.message));

    expect(batch.map((b) => b.outcome())).toEqual(batch.map((_, i) => (i === 11 ? 'term' : 'ack')));
    expect(db.stored.sort()).toEqual(
      Array.from({ length: 16 }, (_, i) => `m${i}`)
        .filter((l) => l !== 'm11')
        .sort(),
    );
    expect(deadLetters).toEqual([
      { body: 'm11 poison', rejection: { kind: 'influx_field_type_conflict', detail: 'refused: m11 poison' } },
    ]);
    expect(ingest.accepted).toBe(15);
    expect(ingest.rejections.byKind()).toEqual({ influx_field_type_conflict: 1 });
    // Halving: 1 request of 16, then a logarithmic number of narrower ones, not one per message.
    expect(db.requests[0]).toHaveLength(16);
    expect(db.requests.length).toBeLessThanOrEqual(2 * Math.log2(16) + 1);
  });

  it('dead-letters a message that fails validation without writing it, and logs each kind once', async () => {
    const db = allOrNothingDatabase();
    const { ingest, deadLetters, firstRejections } = ingestWith(db);
    const batch = ['a', 'invalid one', 'b', 'invalid two'].map((body) => messageOf(body));

    await ingest.handle(batch.map((b) => b.message));

    expect(batch.map((b) => b.outcome())).toEqual(['ack', 'term', 'ack', 'term']);
    expect(db.requests).toEqual([['a', 'b']]);
    expect(deadLetters.map((d) => d.body)).toEqual(['invalid one', 'invalid two']);
    expect(firstRejections).toEqual(['schema']);
    expect(ingest.rejections.byKind()).toEqual({ schema: 2 });
  });

  it('leaves a message unacknowledged (nak) when its dead-letter copy fails, so it comes back rather than vanish', async () => {
    const db = allOrNothingDatabase();
    const ingest = new BatchIngest({
      convert,
      write: db.write,
      deadLetter: () => Promise.reject(new Error('no permission')),
      onFirstRejection: () => {},
    });
    const bad = messageOf('invalid');

    await ingest.handle([bad.message]);

    expect(bad.outcome()).toBe('nak');
    expect(ingest.deadLetterFailures).toBe(1);
  });

  it('settles nothing when the database fails for another reason: the batch is redelivered whole', async () => {
    const { ingest } = ingestWith({
      write: () => Promise.reject(new InfluxWriteError('rejected', 'HTTP 500 after retries', 500)),
    });
    const batch = ['a', 'b'].map((body) => messageOf(body));

    await expect(ingest.handle(batch.map((b) => b.message))).rejects.toThrow('HTTP 500 after retries');

    expect(batch.map((b) => b.outcome())).toEqual(['open', 'open']);
    expect(ingest.accepted).toBe(0);
  });

  it('holds the batch while the database refuses every write (auth), and writes it once it accepts', async () => {
    const db = allOrNothingDatabase();
    let refusals = 2;
    const { ingest } = ingestWith({
      write: (lines) =>
        refusals-- > 0 ? Promise.reject(new InfluxWriteError('auth', 'HTTP 401: unauthorized', 401)) : db.write(lines),
    });
    const batch = ['a', 'b'].map((body) => messageOf(body));

    await ingest.handle(batch.map((b) => b.message));

    expect(batch.map((b) => b.outcome())).toEqual(['ack', 'ack']);
    expect(db.stored).toEqual(['a', 'b']);
  }, 15_000);
});
