import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DecodedPacket, NET_IPV4 } from '@wirewatch/packet';
import { buildSummaryMessage, summarySubject, type SummaryMessage } from '@wirewatch/protocol';
import { SketchSummarizer } from '@wirewatch/traffic';

/**
 * A realistic busy sensor interval: 40 hosts talking TCP to 12 servers on 12 ports, so every top
 * list is full (10 ranks) and a summary becomes about 50 points.
 */
export function templateSummary(): SummaryMessage {
  const s = new SketchSummarizer();
  const d = new DecodedPacket();
  for (let i = 0; i < 2000; i++) {
    d.reset(1);
    d.network = NET_IPV4;
    d.ipProto = 6;
    d.hasSource = d.hasDestination = d.hasPorts = true;
    d.src0 = 0x0a000000 + (i % 40);
    d.dst0 = 0xc0a80000 + (i % 12);
    d.srcPort = 40000 + (i % 97);
    d.dstPort = [22, 53, 80, 443, 993, 3306, 5432, 6379, 8080, 8443, 9092, 11211][i % 12];
    d.tcpFlags = 0x18;
    d.wireLength = d.capturedLength = 64 + (i % 1400);
    s.add(d);
  }
  return buildSummaryMessage(s, {
    sensor: 'template',
    run: 'bench',
    seq: 1,
    interface: 'eth0',
    start: 0,
    end: 1000,
    emitted: 0,
    kernelDropped: 0,
    late: 0,
  });
}

export interface LoadResult {
  offeredPerSecond: number;
  /** Seconds in which the generator could not publish its whole second's worth in time. */
  lateSeconds: number;
}

/** Plays `sensors` sensors publishing one summary a second each, for `seconds` seconds. */
export async function playSensors(url: string, sensors: number, seconds: number, prefix: string): Promise<LoadResult> {
  const nc = await connect({ servers: url });
  const js = jetstream(nc);
  const template = templateSummary();
  const start = Math.ceil(Date.now() / 1000) * 1000;
  let lateSeconds = 0;
  let published = 0;
  for (let second = 0; second < seconds; second++) {
    const due = start + second * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < sensors; i++) {
      const sensor = `${prefix}-${i}`;
      const message = { ...template, sensor, seq: second + 1, start: due - 1000, end: due, emitted: Date.now() };
      pending.push(js.publish(summarySubject(sensor), JSON.stringify(message), { msgID: `${sensor}-bench-${second}` }));
      if (pending.length >= 2000) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    published += sensors;
    if (Date.now() > due + 1000) lateSeconds++;
  }
  await nc.drain();
  const elapsed = (Date.now() - start) / 1000;
  return { offeredPerSecond: published / Math.max(elapsed, seconds), lateSeconds };
}

/** Messages of the consumer group not yet acknowledged (waiting + in flight). */
export async function consumerBacklog(nc: NatsConnection, consumer: string): Promise<number> {
  const info = await (await jetstreamManager(nc)).consumers.info('WIREWATCH', consumer);
  return info.num_pending + info.num_ack_pending;
}
