import { z } from 'zod';
import { subjectToken } from './subjects.js';
import { PROTOCOL_VERSION } from './summary-message.js';

const count = z.number().finite().nonnegative();

/** Per-interface capture health, cumulative since the sensor started. */
const interfaceHealth = z.object({
  name: z.string().min(1).max(256),
  running: z.boolean(),
  packets: count,
  bytes: count,
  decode_errors: count,
  kernel_dropped: count.nullable(),
  /** Frames whose pcap copy was written (0 when --write-pcap is off) and the write errors met. */
  pcap_written: count,
  pcap_write_errors: count,
});

/**
 * A sensor's health, published on `wirewatch.v1.heartbeat.<sensor>` every few seconds, whether or not
 * traffic flows: the collector stores it and the alerter's absence rules watch it.
 */
export const heartbeatMessageSchema = z.object({
  type: z.literal('heartbeat'),
  version: z.literal(PROTOCOL_VERSION),
  sensor: subjectToken,
  run: subjectToken,
  /** Wall-clock ms when sent, and when this run started. */
  sent: z.number().int().nonnegative(),
  started: z.number().int().nonnegative(),
  software: z.string().max(64),
  interfaces: z.array(interfaceHealth).max(64),
  /** Summaries published and confirmed, and the last confirmed one's seq. */
  published: count,
  last_seq: count,
  /** Age in ms of the oldest summary not yet confirmed by JetStream (0 when none waits). */
  publish_lag_ms: count,
  spool: z.object({
    records: count,
    bytes: count,
    dropped_oldest: count,
    dropped_write_errors: count,
    /** Summaries larger than the whole spool bound. */
    dropped_oversize: count,
    corrupt_skipped: count,
  }),
});

export type HeartbeatMessage = z.infer<typeof heartbeatMessageSchema>;
