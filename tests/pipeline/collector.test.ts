import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxRows, waitFor } from '../harness/index.js';
import { DATABASE, startStack, type Stack } from './stack.js';
import { publishAll, publishRaw, syntheticSummary } from './synthetic.js';
import { killAll, type ServiceProcess } from './service-process.js';

let stack: Stack;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  stack = await startStack();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(started.map((s) => s.stop()));
  await killAll();
  await stack?.dispose();
});

function collector(group: string): ServiceProcess {
  const c = stack.collectorV1(group);
  started.push(c);
  return c;
}

async function storedCount(sensorPrefix: string): Promise<{ points: number; packets: number }> {
  const rows = influxRows(
    await stack.influx.query(
      `SELECT count(packets) AS n, sum(packets) AS p FROM traffic WHERE sensor =~ /^${sensorPrefix}/`,
      DATABASE,
    ),
  );
  return { points: Number(rows[0]?.n ?? 0), packets: Number(rows[0]?.p ?? 0) };
}

describe('collector', () => {
  it('dead-letters, counts and logs once what it cannot trust, and goes on', async () => {
    const c = collector('rejects');
    await c.ready();
    await publishRaw(stack.nats.url, 'wirewatch.v1.summary.junk', Buffer.from('{"type": "summ'));
    await publishRaw(stack.nats.url, 'wirewatch.v1.summary.junk', Buffer.from('{"type": "summ'));
    await publishRaw(
      stack.nats.url,
      'wirewatch.v1.summary.future',
      Buffer.from(JSON.stringify({ type: 'summary', version: 9 })),
    );
    await publishAll(stack.nats.url, [
      { sensor: 'rejects-ok', seq: 1, data: syntheticSummary('rejects-ok', 1, 1_000_000, [1, 2, 3], 100) },
    ]);
    await waitFor(async () => (await storedCount('rejects-ok')).points === 1, {
      what: 'the valid summary stored',
      timeoutMs: 15_000,
    });
    await waitFor(async () => (await c.metric('wirewatch_collector_rejected_total', { reason: 'json' })) === 2, {
      what: 'two JSON rejections counted',
    });
    expect(await c.metric('wirewatch_collector_rejected_total', { reason: 'version' })).toBe(1);
    expect(c.logs.filter((l) => String(l.msg).startsWith('rejected a message'))).toHaveLength(2);

    const nc = await connect({ servers: stack.nats.url });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('WIREWATCH_DEADLETTER');
    expect(info.state.messages).toBe(3);
    const first = await jsm.streams.getMessage('WIREWATCH_DEADLETTER', { seq: info.state.first_seq });
    expect(first?.header.get('Wirewatch-Original-Subject')).toBe('wirewatch.v1.summary.junk');
    expect(first?.header.get('Wirewatch-Reject-Reason')).toMatch(/^json: /);
    await nc.close();
  }, 60_000);

  it('two replicas share one durable consumer; killing one loses and double-counts nothing', async () => {
    const a = collector('shared');
    const b = collector('shared');
    await Promise.all([a.ready(), b.ready()]);
    const sensors = 20;
    const perSensor = 30;
    const messages = [];
    for (let seq = 1; seq <= perSensor; seq++) {
      for (let s = 0; s < sensors; s++)
        messages.push({
          sensor: `shared-${s}`,
          seq,
          data: syntheticSummary(`shared-${s}`, seq, 2_000_000 + seq * 1000, [s + 1, 1000], 50),
        });
    }
    const half = messages.length / 2;
    await publishAll(stack.nats.url, messages.slice(0, half));
    await waitFor(
      async () =>
        (await a.metric('wirewatch_collector_messages_total', { kind: 'summary' })) > 0 &&
        (await b.metric('wirewatch_collector_messages_total', { kind: 'summary' })) > 0,
      {
        what: 'both replicas taking part',
        timeoutMs: 15_000,
      },
    );
    await a.kill();
    await publishAll(stack.nats.url, messages.slice(half));
    await waitFor(async () => (await storedCount('shared-')).points === messages.length, {
      what: `${messages.length} intervals stored`,
      timeoutMs: 45_000,
    });
    // Each summary carries 2 packets: no interval lost, none counted twice.
    expect(await storedCount('shared-')).toEqual({ points: messages.length, packets: messages.length * 2 });
  }, 90_000);
});
