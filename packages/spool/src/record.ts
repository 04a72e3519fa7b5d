/**
 * One spooled record on disk (all integers little-endian):
 *
 *   offset  size  field
 *   0       4     magic "WWSP"
 *   4       4     CRC-32 of every byte from offset 8 to the end of the payload
 *   8       4     payload length
 *   12      8     sequence number (u64 as two u32: low, high)
 *   20      8     append time, ms since the epoch (f64)
 *   28      2     id length in bytes (UTF-8)
 *   30      n     id (the NATS message id, so a resend after a restart carries the same one)
 *   30+n    m     payload
 *
 * The CRC covers the length, sequence, time and id as well as the payload, so a flipped bit anywhere
 * but the magic is caught; a flipped magic is caught by the magic check.
 */
import { crc32 } from 'node:zlib';

export const RECORD_MAGIC = 0x50535757; // "WWSP" read as a little-endian u32
export const HEADER_BYTES = 30;
export const MAX_ID_BYTES = 1024;
/** Lengths above this are treated as corruption, not as a record to allocate for. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

export interface RecordFields {
  seq: number;
  appendedAt: number;
  id: string;
  payload: Uint8Array;
}

/** Where a valid record sits in a segment, and what the index needs without reading it again. */
export interface RecordLocation {
  seq: number;
  appendedAt: number;
  offset: number;
  length: number;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function encodedIdBytes(id: string): Uint8Array {
  const bytes = utf8.encode(id);
  if (bytes.length > MAX_ID_BYTES)
    throw new RangeError(`spool: record id is ${bytes.length} bytes, the limit is ${MAX_ID_BYTES}`);
  return bytes;
}

/**
 * Lays out a record with its id and payload copied in, so the caller may reuse `payload` at once.
 * The sequence number, time and CRC are filled by `sealRecord` when the record's turn to be written comes.
 */
export function allocRecord(idBytes: Uint8Array, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + idBytes.length + payload.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, RECORD_MAGIC, true);
  view.setUint32(8, payload.length, true);
  view.setUint16(28, idBytes.length, true);
  out.set(idBytes, HEADER_BYTES);
  out.set(payload, HEADER_BYTES + idBytes.length);
  return out;
}

export function sealRecord(record: Buffer, seq: number, appendedAt: number): void {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  view.setUint32(12, seq % 0x1_0000_0000, true);
  view.setUint32(16, Math.floor(seq / 0x1_0000_0000), true);
  view.setFloat64(20, appendedAt, true);
  view.setUint32(4, crc32(record.subarray(8)), true);
}

export function encodeRecord(seq: number, appendedAt: number, idBytes: Uint8Array, payload: Uint8Array): Buffer {
  const record = allocRecord(idBytes, payload);
  sealRecord(record, seq, appendedAt);
  return record;
}

/**
 * Checks the record starting at `offset` of `bytes[0, end)`.
 * @returns its location, or `undefined` if it is cut short, has a bad magic or length, or fails its CRC.
 */
export function checkRecord(bytes: Uint8Array, offset: number, end = bytes.length): RecordLocation | undefined {
  if (end - offset < HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, end - offset);
  if (view.getUint32(0, true) !== RECORD_MAGIC) return undefined;
  const payloadLength = view.getUint32(8, true);
  if (payloadLength > MAX_PAYLOAD_BYTES) return undefined;
  const idLength = view.getUint16(28, true);
  if (idLength > MAX_ID_BYTES) return undefined;
  const length = HEADER_BYTES + idLength + payloadLength;
  if (length > end - offset) return undefined;
  if (view.getUint32(4, true) !== crc32(bytes.subarray(offset + 8, offset + length))) return undefined;
  const seq = view.getUint32(12, true) + view.getUint32(16, true) * 0x1_0000_0000;
  return { seq, appendedAt: view.getFloat64(20, true), offset, length };
}

/** Decodes a record that `checkRecord` accepted; `payload` is a view into `bytes`, not a copy. */
export function decodeRecord(bytes: Uint8Array, offset: number, end = bytes.length): RecordFields | undefined {
  const location = checkRecord(bytes, offset, end);
  if (!location) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, location.length);
  const idLength = view.getUint16(28, true);
  const idStart = offset + HEADER_BYTES;
  return {
    seq: location.seq,
    appendedAt: location.appendedAt,
    id: utf8Decoder.decode(bytes.subarray(idStart, idStart + idLength)),
    payload: bytes.subarray(idStart + idLength, offset + location.length),
  };
}

/** First offset after `from` where a valid record starts, or -1: how a scan gets past a corrupt stretch. */
export function findNextRecord(bytes: Uint8Array, from: number, end = bytes.length): number {
  const m0 = RECORD_MAGIC & 0xff;
  for (let i = from; i + HEADER_BYTES <= end; i++) {
    if (bytes[i] === m0 && checkRecord(bytes, i, end)) return i;
  }
  return -1;
}
