import type { SketchedSummary, SummaryView, TopLists } from '@wirewatch/traffic';
import type { z } from 'zod';
import type { AlertMessage } from './alert-message.js';
import { heartbeatMessageSchema, type HeartbeatMessage } from './heartbeat-message.js';
import { SketchError, SummarySketches, encodeSketches, readTopLists } from './summary-sketches.js';
import { COUNTER_FIELDS, PROTOCOL_VERSION, summaryMessageSchema, type SummaryMessage } from './summary-message.js';
import { heartbeatSubject, summarySubject } from './subjects.js';

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

/**
 * The summary message of one interval: `summary`'s figures as numbers, its sketches as themselves,
 * `meta` for where and when. The summary is only read (a summarizer is reset by its owner after).
 */
export function buildSummaryMessage(summary: SketchedSummary, meta: SummaryMeta): SummaryMessage {
  const { cardinalities, fanout, ...counters } = summary.figures();
  const { sources, destinations, conversations, flows } = cardinalities;
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
    ...counters,
    capture: { received: counters.packets, kernel_dropped: meta.kernelDropped, late: meta.late },
    fanout,
    cardinalities: { sources, destinations, conversations, flows },
    ...encodeSketches(summary.sketches()),
  };
}

/** The view a decoded message stands for, with its top lists (read off its sketches). */
export function summaryViewOf(message: SummaryMessage, top: TopLists): SummaryView {
  const counters = Object.fromEntries(COUNTER_FIELDS.map((field) => [field, message[field]])) as Pick<
    SummaryMessage,
    (typeof COUNTER_FIELDS)[number]
  >;
  return { ...counters, cardinalities: { ...message.cardinalities, exact: false }, fanout: message.fanout, top };
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
export type DecodedSummary =
  { ok: true; message: SummaryMessage; sketches: SummarySketches } | { ok: false; rejection: Rejection };

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

/** A summary decoded for storage and rules: its view, with top lists read off the sketches without rebuilding them. */
export type StorageSummary =
  { ok: true; message: SummaryMessage; view: SummaryView } | { ok: false; rejection: Rejection };

/**
 * The collector's fast path: validates the message and every sketch's header and checksum, and reads
 * only the first `topN` entries of each top-list sketch (they are stored in order). About half the
 * cost of `decodeSummary`, which rebuilds every sketch for merging.
 */
export function decodeSummaryForStorage(bytes: Uint8Array, topN: number, subject: string): StorageSummary {
  const parsed = parseSensorMessage(bytes, summaryMessageSchema, subject, summarySubject);
  if (!parsed.ok) return parsed;
  try {
    return {
      ok: true,
      message: parsed.message,
      view: summaryViewOf(parsed.message, readTopLists(parsed.message, topN)),
    };
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
  if (subject !== expected)
    return reject(
      'identity',
      `body says sensor "${parsed.message.sensor}" but it arrived on ${subject}, not ${expected}`,
    );
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
  return reject(
    `schema.${issue.path[0] === undefined ? 'message' : String(issue.path[0])}`,
    `${path}: ${issue.message}`,
  );
}

function reject(kind: string, detail: string): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: { kind, detail } };
}
