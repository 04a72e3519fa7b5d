import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { buildSummaryMessage, encodeMessage, summarySubject } from '@wirewatch/protocol';
import { summarizerWithHosts } from '@wirewatch/traffic/testing';

/** A summary as a sensor would send it: `hosts` each sent one UDP-less IPv4 frame of `bytes`. */
export function syntheticSummary(
  sensor: string,
  seq: number,
  start: number,
  hosts: number[],
  bytes: number,
): Uint8Array {
  const s = summarizerWithHosts(hosts, bytes, { capacity: 64, precision: 10 });
  return encodeMessage(
    buildSummaryMessage(s, {
      sensor,
      run: 'synthetic',
      seq,
      interface: 'eth0',
      start,
      end: start + 1000,
      emitted: Date.now(),
      kernelDropped: 0,
      late: 0,
    }),
  );
}

/** Publishes with JetStream acks and message ids, as the sensor does. */
export async function publishAll(
  url: string,
  messages: Array<{ sensor: string; seq: number; data: Uint8Array }>,
): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const js = jetstream(nc);
    for (const m of messages)
      await js.publish(summarySubject(m.sensor), m.data, { msgID: `${m.sensor}-synthetic-${m.seq}` });
  } finally {
    await nc.drain();
  }
}

/** Publishes raw bytes (for messages a collector must refuse). */
export async function publishRaw(url: string, subject: string, data: Uint8Array): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    await jetstream(nc).publish(subject, data);
  } finally {
    await nc.drain();
  }
}
