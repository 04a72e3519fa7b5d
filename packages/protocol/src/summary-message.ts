import { HyperLogLog, SpaceSaving, type SummaryCounters } from '@wirewatch/traffic';
import { z } from 'zod';
import { subjectToken } from './subjects.js';
import {
  DECODE_ERROR_NAMES,
  RCODE_NAMES,
  packetSizeBuckets,
  SKETCH_MAX_CAPACITY,
  SKETCH_MAX_PRECISION,
  TOP_SKETCH_KEY_WORDS,
  foldUnknownNames,
  isQtypeName,
} from './limits.js';

export const PROTOCOL_VERSION = 1;

const count = z.number().finite().nonnegative();
const counter = z.object({ packets: count, bytes: count });
/** Base64 of at most `maxBytes` bytes: no string longer than the largest sketch a sensor can send. */
const base64 = (maxBytes: number) =>
  z
    .string()
    .max(4 * Math.ceil(maxBytes / 3))
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const topSketch = (keyWords: number) => base64(SpaceSaving.maxSerializedLength(keyWords, SKETCH_MAX_CAPACITY));
const distinctSketch = base64(HyperLogLog.maxSerializedLength(SKETCH_MAX_PRECISION));
const timestampMs = z.number().int().nonnegative();
/** Names that become InfluxDB field names (DNS codes, decode-error reasons): no escaping ever needed. */
const fieldName = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 letters, digits, ".", "_" or "-"');
/**
 * Counts by name where the names are a known set: names outside it are summed into `other` rather
 * than rejected, so a newer sensor's new name is still counted while a message can never add
 * fields of its own choosing to InfluxDB (at most the known names plus `other`).
 */
const knownCounts = (known: (name: string) => boolean) =>
  z.record(fieldName, count).transform((counts) => foldUnknownNames(counts, known));

/**
 * The counters of a summary (traffic's SummaryCounters) as they travel: the one part of the message
 * that grows with a new per-interval counter. The check below keeps it and SummaryCounters in step.
 */
const countersShape = {
  packets: count,
  bytes: count,
  captured_bytes: count,
  protocols: z.object({
    tcp: counter,
    udp: counter,
    icmp: counter,
    icmpv6: counter,
    'other-ip': counter,
    arp: counter,
    other: counter,
  }),
  tcp_flags: z.object({
    syn: count,
    syn_ack: count,
    fin: count,
    rst: count,
    psh: count,
    ack: count,
    urg: count,
    ece: count,
    cwr: count,
  }),
  /** The sensor's own frame-size buckets, in order (their bounds become field names). */
  packet_sizes: z
    .array(z.object({ le: z.number().int().positive().nullable(), packets: count }))
    .max(32)
    .refine((sizes) => sameBuckets(sizes.map((b) => b.le)), {
      message: "expected the sensor's frame-size buckets, in order",
    }),
  dns: z.object({
    queries: count,
    responses: count,
    nxdomain: count,
    rcodes: knownCounts((name) => RCODE_NAMES.has(name)),
    qtypes: knownCounts(isQtypeName),
  }),
  decode_errors: z.object({ total: count, by_reason: knownCounts((name) => DECODE_ERROR_NAMES.has(name)) }),
};

/** The names of the counter fields, to read a decoded message's counters back into a SummaryView. */
export const COUNTER_FIELDS = Object.keys(countersShape) as Array<keyof SummaryCounters>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when the wire's counters and traffic's SummaryCounters differ by a field. */
export type CountersInStep = Assert<Same<z.output<z.ZodObject<typeof countersShape>>, SummaryCounters>>;
type Assert<T extends true> = T;

/**
 * One sensor interface's traffic over one interval, as published on `wirewatch.v1.summary.<sensor>`.
 * Exact counters travel as numbers; top lists and distinct counts travel as the sketches themselves
 * (Space-Saving, HyperLogLog: binary, CRC-checked, base64) so a collector can merge them across
 * sensors and intervals without losing their error bounds.
 */
export const summaryMessageSchema = z
  .object({
    type: z.literal('summary'),
    version: z.literal(PROTOCOL_VERSION),
    sensor: subjectToken,
    /** Random id of the sensor process's run: (sensor, run, seq) names the message; seq gaps are visible. */
    run: subjectToken,
    seq: z.number().int().positive(),
    interface: z.string().min(1).max(256),
    /** Interval [start, end) in ms since the epoch, in the packets' own time (capture or recorded time). */
    start: timestampMs,
    end: timestampMs,
    /** Wall-clock ms at which the sensor closed the interval (publish lag = receipt - emitted). */
    emitted: timestampMs,
    ...countersShape,
    /** What the capture itself reported during the interval. */
    capture: z.object({
      /** Frames that reached the sensor (counted above). */
      received: count,
      /** Frames the kernel dropped for this capture during the interval; null when the platform does not say. */
      kernel_dropped: count.nullable(),
      /** Frames whose timestamps fell before the interval (clock steps, late delivery), counted in it anyway. */
      late: count,
    }),
    /**
     * The sources that tried the most distinct ports (TCP SYN without ACK) and hosts (SYN or echo
     * request) in the interval, for port-scan and host-sweep rules; `pairs_dropped` > 0 means the
     * sensor's bounded pair tables filled up and the counts are lower bounds.
     */
    fanout: z.object({
      sources: z.array(z.object({ ip: z.string().max(64), ports: count, destinations: count })).max(100),
      pairs_dropped: count,
    }),
    /** HyperLogLog estimates of the sketches below, so a reader need not parse them for the numbers. */
    cardinalities: z.object({ sources: count, destinations: count, conversations: count, flows: count }),
    sketches: z.object({
      sources: topSketch(TOP_SKETCH_KEY_WORDS.sources),
      destinations: topSketch(TOP_SKETCH_KEY_WORDS.destinations),
      conversations: topSketch(TOP_SKETCH_KEY_WORDS.conversations),
      ports: topSketch(TOP_SKETCH_KEY_WORDS.ports),
      dns_names: topSketch(TOP_SKETCH_KEY_WORDS.dns_names),
      distinct_sources: distinctSketch,
      distinct_destinations: distinctSketch,
      distinct_conversations: distinctSketch,
      distinct_flows: distinctSketch,
    }),
    /**
     * Only on a restarted live sensor's first summary of each interface: the capture gap since its
     * previous run (same spool directory) stopped, or last checkpointed when it was killed, and the
     * packets that killed run had counted on this interface in intervals it never published.
     */
    restart: z.object({ previous_run: subjectToken, gap_ms: count, unpublished_packets: count }).optional(),
    /** Names of the dns_names sketch's keys, by hex key (a DNS name escaped is at most 1020 characters). */
    dns_name_strings: z
      .record(z.string().regex(/^[0-9a-f]{24}$/), z.string().max(1024))
      .refine((names) => Object.keys(names).length <= SKETCH_MAX_CAPACITY, {
        message: `more than ${SKETCH_MAX_CAPACITY} names`,
      }),
  })
  .refine((m) => m.end > m.start, { message: 'end must be after start', path: ['end'] });

export type SummaryMessage = z.infer<typeof summaryMessageSchema>;

function sameBuckets(bounds: Array<number | null>): boolean {
  const expected = packetSizeBuckets();
  return bounds.length === expected.length && bounds.every((le, i) => le === expected[i]);
}
