import type { SketchSummarizer } from '@wirewatch/traffic';
import type { z } from 'zod';
import type { AlertMessage } from './alert-message.js';
import { heartbeatMessageSchema, type HeartbeatMessage } from './heartbeat-message.js';
import { SketchError, SummarySketches, readTopLists, type TopLists } from './summary-sketches.js';
import { PROTOCOL_VERSION, summaryMessageSchema, type SummaryMessage } from './summary-message.js';
import { heartbeatSubject, summarySubject } from './subjects.js';

/** Sources listed in a summary's fan-out section. */
export const FANOUT_SOURCES = 10;

export interface SummaryMeta {
  sensor: string;
  run: string;
  seq: number;
  interface: string;
  start: number;
  end: number;
  emitted: number;
  kernelDropped: number | null;
  late: number;
}

/** Builds the summary message of what `summarizer` counted over one interval (the caller resets it after). */
export function buildSummaryMessage(summarizer: SketchSummarizer, meta: SummaryMeta): SummaryMessage {
  const { queries, responses, nxdomain, rcodes, qtypes, packets, bytes, captured_bytes, protocols, tcp_flags, packet_sizes, decode_errors } =
    summarizer.counters.fill();
  return {
    type: 'summary',
    version: PROTOCOL_VERSION,
    sensor: meta.sensor,
    run: meta.run,
    seq: meta.seq,
    interface: meta.interface,
    start: meta.start,
    end: meta.end,
    emitted: meta.emitted,
    packets,
    bytes,
    captured_bytes,
    protocols,
    tcp_flags,
    packet_sizes,
    dns: { queries, responses, nxdomain, rcodes, qtypes },
    decode_errors,
    capture: { received: packets, kernel_dropped: meta.kernelDropped, late: meta.late },
    fanout: { sources: summarizer.fanout.top(FANOUT_SOURCES), pairs_dropped: summarizer.fanout.pairsDropped },
    ...sketchesAndCounts(SummarySketches.fromSummarizer(summarizer)),
  };
}

function sketchesAndCounts(sketches: SummarySketches): Pick<SummaryMessage, 'sketches' | 'dns_name_strings' | 'cardinalities'> {
  const { exact: _exact, ...cardinalities } = sketches.cardinalities();
  return { cardinalities, ...sketches.encode() };
}

export function encodeMessage(message: SummaryMessage | HeartbeatMessage | AlertMessage): Uint8Array {
  return Buffer.from(JSON.stringify(message));
}

/** Why a message was refused; `kind` is stable and short, for counting and for logging once per kind. */
export interface Rejection {
  kind: string;
  detail: string;
}

export type Decoded<T> = { ok: true; message: T } | { ok: false; rejection: Rejection };
export type DecodedSummary = { ok: true; message: SummaryMessage; sketches: SummarySketches } | { ok: false; rejection: Rejection };

/**
 * Every decoder takes the subject the message arrived on, which must be exactly the subject of the
 * sensor the body names (`wirewatch.v1.summary.<sensor>`): otherwise the message is refused (kind
 * `identity`), so a sensor whose NATS user may publish only on its own subject cannot speak for another.
 */
export function decodeSummary(bytes: Uint8Array, subject: string): DecodedSummary {
  const parsed = parseSensorMessage(bytes, summaryMessageSchema, subject, summarySubject);
  if (!parsed.ok) return parsed;
  try {
    return { ok: true, message: parsed.message, sketches: SummarySketches.fromMessage(parsed.message) };
  } catch (error) {
    if (error instanceof SketchError) return reject(`sketch.${error.sketch}`, error.message);
    throw error;
  }
}

/** A summary decoded for storage: its top lists read off the sketches without rebuilding them. */
export type StorageSummary = { ok: true; message: SummaryMessage; top: TopLists } | { ok: false; rejection: Rejection };

/**
 * The collector's fast path: validates the message and every sketch's header and checksum, and reads
 * only the first `topN` entries of each top-list sketch (they are stored in order). About half the
 * cost of `decodeSummary`, which rebuilds every sketch for merging.
 */
export function decodeSummaryForStorage(bytes: Uint8Array, topN: number, subject: string): StorageSummary {
  const parsed = parseSensorMessage(bytes, summaryMessageSchema, subject, summarySubject);
  if (!parsed.ok) return parsed;
  try {
    return { ok: true, message: parsed.message, top: readTopLists(parsed.message, topN) };
  } catch (error) {
    if (error instanceof SketchError) return reject(`sketch.${error.sketch}`, error.message);
    throw error;
  }
}

export function decodeHeartbeat(bytes: Uint8Array, subject: string): Decoded<HeartbeatMessage> {
  return parseSensorMessage(bytes, heartbeatMessageSchema, subject, heartbeatSubject);
}

function parseSensorMessage<T extends { sensor: string }>(
  bytes: Uint8Array,
  schema: z.ZodType<T>,
  subject: string,
  subjectOf: (sensor: string) => string,
): Decoded<T> {
  const parsed = parseJson(bytes, schema);
  if (!parsed.ok) return parsed;
  const expected = subjectOf(parsed.message.sensor);
  if (subject !== expected) return reject('identity', `body says sensor "${parsed.message.sensor}" but it arrived on ${subject}, not ${expected}`);
  return parsed;
}

function parseJson<T>(bytes: Uint8Array, schema: z.ZodType<T>): Decoded<T> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    return reject('json', `not JSON: ${(error as Error).message}`);
  }
  if (typeof value === 'object' && value !== null && 'version' in value && value.version !== PROTOCOL_VERSION) {
    return reject('version', `protocol version ${String(value.version)}, this build speaks ${PROTOCOL_VERSION}`);
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  const path = issue.path.join('.') || '(message)';
  return reject(`schema.${issue.path[0] === undefined ? 'message' : String(issue.path[0])}`, `${path}: ${issue.message}`);
}

function reject(kind: string, detail: string): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: { kind, detail } };
}
