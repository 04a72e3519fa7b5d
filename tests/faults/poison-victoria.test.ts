import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStreams } from '@wirewatch/bus';
import { STREAM_NAME, buildSummaryMessage, encodeMessage, summarySubject } from '@wirewatch/protocol';
import { summarizerWithHosts } from '@wirewatch/traffic/testing';
import { buildCli } from '../../scripts/build-cli.mjs';
import { startNats, startVictoriaMetrics, waitFor, type NatsHandle, type VictoriaHandle } from '../harness/index.js';
import { storedInVictoria } from '../pipeline/readback.js';
import { killAll, startService, collectorArgs } from '../pipeline/service-process.js';

/**
 * The poison summaries influxd refuses, written to VictoriaMetrics (/api/v2/write): it answers 204 to
 * the whole request and drops the lines it cannot store (its log alone says so), so the collector has
 * no refusal to split or count. What this pins down: the good summaries are stored and acknowledged,
 * nothing is redelivered, and the dropped ones are absent (not counted anywhere: a documented limit).
 */
let bundle: string;
let nats: NatsHandle;
let vm: VictoriaHandle;

beforeAll(async () => {
  [bundle, nats, vm] = await Promise.all([buildCli(), startNats(), startVictoriaMetrics()]);
  const nc = await connect({ servers: nats.url });
  await ensureStreams(nc);
  await nc.close();
}, 60_000);

afterAll(async () => {
  await killAll();
  await Promise.allSettled([nats?.dispose(), vm?.dispose()]);
});

function summary(sensor: string, seq: number, start: number, iface = 'eth0') {
  const s = summarizerWithHosts([1, 2, 3], 100, { capacity: 64, precision: 10 });
  return {
    sensor,
    seq,
    data: encodeMessage(
      buildSummaryMessage(s, {
        sensor,
        run: 'poison',
        seq,
        interface: iface,
        start,
        end: start + 1000,
        emitted: Date.now(),
        kernelDropped: 0,
        late: 0,
      }),
    ),
  };
}

describe('VictoriaMetrics and the poison influxd refuses', () => {
  it('answers 204 and drops them: good summaries stored and acked, nothing refused, counted or redelivered', async () => {
    const now = Date.now();
    const good = Array.from({ length: 10 }, (_, i) => summary('vm-good', i + 1, now - 60_000 + i * 1000));
    const poison = [summary('vm-far-future', 1, 9_300_000_000_000), summary('vm-backslash', 1, now - 30_000, 'eth0\\')];
    const nc = await connect({ servers: nats.url });
    const js = jetstream(nc);
    for (const m of [...good.slice(0, 5), ...poison, ...good.slice(5)])
      await js.publish(summarySubject(m.sensor), m.data, { msgID: `${m.sensor}-${m.seq}` });
    const c = startService(bundle, collectorArgs(nats.url, { url: vm.url, bucket: 'wirewatch' }, '--no-fleet'), {
      WIREWATCH_CONSUMER_SUMMARIES: 'vm-summaries',
      WIREWATCH_CONSUMER_HEARTBEATS: 'vm-heartbeats',
    });
    try {
      await c.ready();
      await waitFor(
        async () =>
          (await c.metric('wirewatch_collector_messages_total', { kind: 'summary' })) === good.length + poison.length,
        { what: 'every summary acknowledged', timeoutMs: 15_000 },
      );
      await vm.flush();
      await waitFor(async () => (await storedInVictoria(vm, 'vm-good')).intervals === good.length, {
        what: 'the good summaries in VictoriaMetrics',
        timeoutMs: 10_000,
      });
      expect((await storedInVictoria(vm, 'vm-far-future')).intervals).toBe(0);
      expect(await c.metric('wirewatch_collector_influx_batches_total', { outcome: 'rejected' })).toBe(0);
      expect(await c.metric('wirewatch_collector_rejected_total', { kind: 'summary' })).toBe(0);
      const info = await (await jetstreamManager(nc)).consumers.info(STREAM_NAME, 'vm-summaries');
      expect([info.num_ack_pending, info.num_pending, info.num_redelivered]).toEqual([0, 0, 0]);
    } finally {
      await nc.close();
      await c.stop();
    }
  }, 60_000);
});
