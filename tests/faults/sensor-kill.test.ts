import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, readCursor, scanSegment } from '@wirewatch/spool/testing';
import { ROOT } from '../corpus/corpus.js';
import { waitFor } from '../harness/index.js';
import { killAll } from '../pipeline/service-process.js';
import { startMs, startSensorStack, type AnalyzeReport, type SensorStack } from './sensor-stack.js';

/** lab.pcap in quarter-second intervals: some 200 summaries over 60 s of recorded time. */
const LAB = join(ROOT, 'samples/lab.pcap');
const INTERVAL = 0.25;

let stack: SensorStack;
let lab: AnalyzeReport;

beforeAll(async () => {
  stack = await startSensorStack();
  lab = await stack.analyze(LAB, INTERVAL);
}, 60_000);

afterAll(async () => {
  await killAll();
  await stack?.dispose();
});

/** The records a spool directory holds past its cursor, as a restart will find them: [spool seq, message id]. */
async function spooledRecords(dir: string): Promise<Array<{ seq: number; id: string }>> {
  const cursor = (await readCursor(dir)) ?? 0;
  const out: Array<{ seq: number; id: string }> = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.startsWith('seg-'))
    .sort()) {
    const bytes = readFileSync(join(dir, name));
    for (const r of scanSegment(bytes, Number(name.slice(4, 20))).records) {
      if (r.seq >= cursor) out.push({ seq: r.seq, id: decodeRecord(bytes, r.offset)!.id });
    }
  }
  return out;
}

/** Every summary of `sensor` in the stream, in stream order, as [run, seq]. */
async function streamSummaries(sensor: string): Promise<Array<{ run: string; seq: number }>> {
  const nc = await connect({ servers: stack.nats.url });
  try {
    const consumer = await jetstream(nc).consumers.get('WIREWATCH', {
      filter_subjects: `wirewatch.v1.summary.${sensor}`,
    });
    const out: Array<{ run: string; seq: number }> = [];
    const messages = await consumer.fetch({ max_messages: 10_000, expires: 2000 });
    for await (const m of messages) {
      const { run, seq } = m.json<{ run: string; seq: number }>();
      out.push({ run, seq });
      if (m.info.pending === 0) break;
    }
    return out;
  } finally {
    await nc.close();
  }
}

describe('sensor killed with SIGKILL mid-replay', () => {
  it('restarted on the same spool: a torn last record is cut off and counted, what was spooled is published, nothing twice', async () => {
    const spoolDir = join(stack.dir, 'spool-killed');
    const args = ['--id', 'killed', '--interval', String(INTERVAL), '--spool-dir', spoolDir];
    const first = stack.sensor([...args, '--pcap', LAB, '--speed', '4']);
    await waitFor(async () => (await first.metric('wirewatch_sensor_published_total')) >= 20, {
      what: '20 summaries published',
      timeoutMs: 20_000,
    });
    // NATS away: the replay goes on into the spool, so the kill finds it holding records, and writing more.
    await stack.nats.stop();
    await waitFor(async () => (await first.metric('wirewatch_sensor_spool_records')) >= 10, {
      what: 'summaries spooled',
      timeoutMs: 20_000,
    });
    expect(await first.kill()).toBe('SIGKILL');
    expect(first.logs.some((l) => l.msg === 'replay finished; publishing what is left')).toBe(false);

    const spooled = await spooledRecords(spoolDir);
    expect(spooled.length).toBeGreaterThanOrEqual(10);
    const run = spooled[0].id.split('-')[1];
    const lastSummarySeq = Math.max(...spooled.map((r) => Number(r.id.split('-')[2])));
    // What a kill in the middle of the next append leaves: the first half of a record.
    const torn = encodeRecord(
      spooled.at(-1)!.seq + 1,
      Date.now(),
      Buffer.from(`killed-${run}-${lastSummarySeq + 1}`),
      new Uint8Array(2000),
    );
    const lastSegment = readdirSync(spoolDir)
      .filter((n) => n.startsWith('seg-'))
      .sort()
      .at(-1)!;
    appendFileSync(join(spoolDir, lastSegment), torn.subarray(0, torn.length >> 1));

    await stack.nats.start();
    // The restart replays a capture with no frames: all it publishes is what the first run left.
    const empty = join(stack.dir, 'empty.pcap');
    writeFileSync(empty, Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex'));
    const second = stack.sensor([...args, '--pcap', empty]);
    expect(await second.exited, second.stderr()).toBe(0);
    expect(
      second.logs.find((l) => l.msg === 'spool holds summaries of an earlier run; publishing them first'),
    ).toMatchObject({
      level: 'warn',
      records: spooled.length,
      corruptSkipped: 1,
    });
    expect(second.logs.at(-1)).toMatchObject({
      msg: `${spooled.length} summaries published, 1 dropped as damaged in the spool`,
      published: spooled.length,
    });
    // The spool is left empty: no segment holds anything.
    expect(await spooledRecords(spoolDir)).toEqual([]);

    // The stream: the first run's summaries 1..N, each exactly once (a resend after the kill is de-duplicated by its id).
    const inStream = await streamSummaries('killed');
    expect(inStream.every((m) => m.run === run)).toBe(true);
    expect(inStream.map((m) => m.seq)).toEqual(Array.from({ length: lastSummarySeq }, (_, i) => i + 1));

    // InfluxDB: exactly analyze's first N intervals, with its packet counts.
    const expected = lab.timeline.slice(0, lastSummarySeq);
    const stored = await stack.storedOnce('killed', expected.length);
    for (const point of expected) expect(stored.get(startMs(point.start)), String(point.start)).toBe(point.packets);
  }, 60_000);
});
