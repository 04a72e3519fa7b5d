import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptureFile } from '@wirewatch/report';
import { ROOT } from '../corpus/corpus.js';
import { waitFor } from '../harness/index.js';
import { storedInInflux } from './readback.js';
import { DATABASE, startStack, type Stack } from './stack.js';
import { killAll, type ServiceProcess } from './service-process.js';

/** 2,763 frames over 60 s of recorded time: replayed at 10-20x, a stream of summaries lasting seconds. */
const LAB = join(ROOT, 'samples/lab.pcap');
const { report } = analyzeCaptureFile(LAB, { intervalSeconds: 1, topN: 10, topFlows: 0 });

let stack: Stack;
const services: ServiceProcess[] = [];
const track = (s: ServiceProcess) => (services.push(s), s);

beforeAll(async () => {
  stack = await startStack();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(services.map((s) => s.stop()));
  await killAll();
  await stack?.dispose();
});

/** Every frame of the capture stored exactly once: totals, classes and intervals as analyze counts them. */
async function expectExactlyOnce(sensor: string): Promise<void> {
  await waitFor(async () => (await storedInInflux(stack.influx, DATABASE, sensor)).packets === report.packets, {
    what: `${sensor}: all ${report.packets} frames stored`,
    timeoutMs: 40_000,
  });
  const stored = await storedInInflux(stack.influx, DATABASE, sensor);
  expect(stored.bytes).toBe(report.bytes);
  expect(stored.intervals).toBe(report.timeline.length);
  for (const [cls, c] of Object.entries(report.protocols))
    expect(stored.classes[cls] ?? { packets: 0, bytes: 0 }, cls).toEqual(c);
}

describe('faults: nothing lost, nothing counted twice', () => {
  it('collector killed mid-stream and started again', async () => {
    const first = track(stack.collectorV1('crash'));
    await first.ready();
    const sensor = track(stack.replay('crash', LAB, ['--speed', '20']));
    await waitFor(async () => (await storedInInflux(stack.influx, DATABASE, 'crash')).packets > 0, {
      what: 'first summaries stored',
    });
    await first.kill();
    const second = track(stack.collectorV1('crash'));
    expect(await sensor.exited).toBe(0);
    await expectExactlyOnce('crash');
    expect(await second.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBeGreaterThan(0);
  }, 90_000);

  it('InfluxDB down for several write rounds', async () => {
    const collector = track(stack.collectorV1('influx-down'));
    await collector.ready();
    await stack.influx.stop();
    const sensor = track(stack.replay('influx-down', LAB, ['--speed', '20']));
    await waitFor(async () => (await collector.metric('wirewatch_collector_influx_failed_attempts_total')) >= 3, {
      what: 'three failed write attempts',
      timeoutMs: 30_000,
    });
    expect(await collector.metric('wirewatch_collector_messages_total', { kind: 'summary' })).toBe(0);
    await stack.influx.start();
    expect(await sensor.exited).toBe(0);
    await expectExactlyOnce('influx-down');
    expect(await collector.metric('wirewatch_collector_influx_retries_total')).toBeGreaterThanOrEqual(3);
  }, 90_000);

  it('NATS down while the sensor keeps capturing: spooled on disk, sent in order on reconnect', async () => {
    const collector = track(stack.collectorV1('nats-down'));
    await collector.ready();
    const sensor = track(stack.replay('nats-down', LAB, ['--speed', '10']));
    await waitFor(async () => (await sensor.metric('wirewatch_sensor_published_total')) > 0, {
      what: 'first summaries published',
    });
    await stack.nats.stop();
    await waitFor(async () => (await sensor.metric('wirewatch_sensor_spool_records')) >= 5, {
      what: 'summaries spooled during the outage',
      timeoutMs: 20_000,
    });
    expect(await sensor.metric('wirewatch_sensor_nats_connected')).toBe(0);
    await stack.nats.start();
    expect(await sensor.exited).toBe(0);
    await expectExactlyOnce('nats-down');
    // In order: the stream holds the sensor's summaries by increasing seq, each once.
    const seqs = await streamSeqs('wirewatch.v1.summary.nats-down');
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs.length).toBe(report.timeline.length);
  }, 120_000);
});

/** The `seq` of every summary on `subject`, in stream order (nats-server 2.9: one filter per consumer). */
async function streamSeqs(subject: string): Promise<number[]> {
  const nc = await connect({ servers: stack.nats.url });
  try {
    const consumer = await jetstream(nc).consumers.get('WIREWATCH', { filter_subjects: subject });
    const seqs: number[] = [];
    const messages = await consumer.fetch({ max_messages: 10_000, expires: 2000 });
    for await (const m of messages) {
      seqs.push(m.json<{ seq: number }>().seq);
      if (m.info.pending === 0) break;
    }
    return seqs;
  } finally {
    await nc.close();
  }
}
