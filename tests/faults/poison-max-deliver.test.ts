import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStreams } from '@wirewatch/bus';
import {
  DEAD_LETTER_STREAM_NAME,
  HEADER_DEAD_LETTER_REASON,
  HEADER_ORIGINAL_SUBJECT,
  STREAM_NAME,
  summarySubject,
} from '@wirewatch/protocol';
import { buildCli } from '../../scripts/build-cli.mjs';
import { startInfluxV1, startNats, waitFor, type InfluxV1Handle, type NatsHandle } from '../harness/index.js';
import { storedInInflux } from '../pipeline/readback.js';
import { killAll, startService, collectorArgs } from '../pipeline/service-process.js';
import { syntheticSummary } from '../pipeline/synthetic.js';
import { startMarkerRefusingProxy, type MarkerRefusingProxy } from './poison-proxy.js';

/**
 * Issue 11, the other half of "nothing redelivered forever": a message whose write fails every time
 * for a reason that is not bad data (here a gateway answering 409 to one sensor's writes) is
 * redelivered until the consumer's max_deliver, then JetStream gives up on it and says so in an
 * advisory; the collector follows it and copies the message to the dead-letter stream (`max_deliver`).
 */
let bundle: string;
let nats: NatsHandle;
let influx: InfluxV1Handle;
let gateway: MarkerRefusingProxy;
const MAX_DELIVER = 3;

beforeAll(async () => {
  [bundle, nats, influx] = await Promise.all([buildCli(), startNats(), startInfluxV1()]);
  gateway = await startMarkerRefusingProxy(influx.url, 'sensor=stuck', 409);
  const nc = await connect({ servers: nats.url });
  await ensureStreams(nc);
  await nc.close();
}, 60_000);

afterAll(async () => {
  await killAll();
  await gateway?.close();
  await Promise.allSettled([nats?.dispose(), influx?.dispose()]);
});

async function publish(sensor: string, seq: number): Promise<void> {
  const nc = await connect({ servers: nats.url });
  try {
    await jetstream(nc).publish(
      summarySubject(sensor),
      syntheticSummary(sensor, seq, Date.now() - 30_000 + seq * 1000, [1, 2, 3], 100),
      { msgID: `${sensor}-${seq}` },
    );
  } finally {
    await nc.drain();
  }
}

describe('a summary whose write fails every time for a non-data reason', () => {
  it(`is delivered ${MAX_DELIVER} times (consumer.maxDeliver), then copied to the dead-letter stream with reason max_deliver, counted; nothing left pending`, async () => {
    await influx.createDatabase('md');
    await publish('stuck', 1);
    const c = startService(bundle, collectorArgs(nats.url, { url: gateway.url, db: 'md' }), {
      WIREWATCH_CONSUMER_SUMMARIES: 'md-summaries',
      WIREWATCH_CONSUMER_HEARTBEATS: 'md-heartbeats',
      WIREWATCH_FLEET_CONSUMER: 'md-fleet',
      WIREWATCH_CONSUMER_MAX_DELIVER: String(MAX_DELIVER),
    });
    await c.ready();
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      expect((await jsm.consumers.info(STREAM_NAME, 'md-summaries')).config.max_deliver).toBe(MAX_DELIVER);
      await waitFor(
        async () =>
          (await jsm.streams.info(DEAD_LETTER_STREAM_NAME, { subjects_filter: 'wirewatch.deadletter.md-summaries' }))
            .state.subjects?.['wirewatch.deadletter.md-summaries'] === 1,
        {
          what: 'the stuck summary in the dead-letter stream',
          timeoutMs: 30_000,
        },
      );
      const copy = (await jsm.streams.getMessage(DEAD_LETTER_STREAM_NAME, {
        last_by_subj: 'wirewatch.deadletter.md-summaries',
      }))!;
      expect(copy.header?.get(HEADER_DEAD_LETTER_REASON)).toMatch(
        new RegExp(
          `^max_deliver: consumer md-summaries delivered stream message 1 ${MAX_DELIVER} times without an acknowledgement$`,
        ),
      );
      expect(copy.header?.get(HEADER_ORIGINAL_SUBJECT)).toBe('wirewatch.v1.summary.stuck');
      expect(copy.json<{ sensor: string }>().sensor).toBe('stuck');
      // one write per delivery, no more
      expect(gateway.refused).toBe(MAX_DELIVER);
      expect(await c.metric('wirewatch_collector_rejected_total', { kind: 'summary', reason: 'max_deliver' })).toBe(1);
      expect(
        c.logs.filter((l) => String(l.msg).startsWith("a message reached the consumer's max_deliver")),
      ).toHaveLength(1);
      const info = await jsm.consumers.info(STREAM_NAME, 'md-summaries');
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_pending).toBe(0);

      // the consumer goes on: a later summary of another sensor is stored
      await publish('fine', 1);
      await waitFor(async () => (await storedInInflux(influx, 'md', 'fine')).intervals === 1, {
        what: 'a later summary stored',
        timeoutMs: 10_000,
      });
      expect(gateway.refused).toBe(MAX_DELIVER);
    } finally {
      await nc.close();
      await c.stop();
    }
  }, 60_000);

  it('a consumer made before max_deliver existed (unlimited) gets it when the collector starts', async () => {
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.add(STREAM_NAME, {
        durable_name: 'old-summaries',
        ack_policy: AckPolicy.Explicit,
        filter_subject: 'wirewatch.v1.summary.>',
        max_deliver: -1,
      });
      expect((await jsm.consumers.info(STREAM_NAME, 'old-summaries')).config.max_deliver).toBe(-1);
      const c = startService(bundle, collectorArgs(nats.url, { url: influx.url, db: 'md' }), {
        WIREWATCH_CONSUMER_SUMMARIES: 'old-summaries',
        WIREWATCH_CONSUMER_HEARTBEATS: 'old-heartbeats',
        WIREWATCH_FLEET_CONSUMER: 'old-fleet',
      });
      await c.ready();
      expect((await jsm.consumers.info(STREAM_NAME, 'old-summaries')).config.max_deliver).toBe(20);
      await c.stop();
    } finally {
      await nc.close();
    }
  }, 30_000);

  it('a database-wide refusal (404, no such database) spends no deliveries: the batch is held, then stored once the database exists', async () => {
    await publish('waiting', 1);
    const c = startService(bundle, collectorArgs(nats.url, { url: influx.url, db: 'later' }, '--no-fleet'), {
      WIREWATCH_CONSUMER_SUMMARIES: 'later-summaries',
      WIREWATCH_CONSUMER_HEARTBEATS: 'later-heartbeats',
      WIREWATCH_FLEET_CONSUMER: 'later-fleet',
      WIREWATCH_CONSUMER_MAX_DELIVER: String(MAX_DELIVER),
    });
    await c.ready();
    // more refused attempts than max_deliver allows deliveries
    await waitFor(async () => (await c.metric('wirewatch_collector_influx_failed_attempts_total')) > MAX_DELIVER, {
      what: `more than ${MAX_DELIVER} refused writes`,
      timeoutMs: 30_000,
    });
    await influx.createDatabase('later');
    await waitFor(async () => (await storedInInflux(influx, 'later', 'waiting')).intervals === 1, {
      what: 'the held summary stored',
      timeoutMs: 15_000,
    });
    expect(await c.metric('wirewatch_collector_redelivered_total', { kind: 'summary' })).toBe(0);
    expect(await c.metric('wirewatch_collector_rejected_total', { kind: 'summary', reason: 'max_deliver' })).toBe(0);
    await c.stop();
  }, 60_000);
});
