/**
 * Shared pieces of the sketches' binary formats: every serialized sketch is
 *
 *   magic (4 ASCII bytes) | version u8 | ... body ... | CRC-32 (IEEE, u32 LE) of everything before it
 *
 * All multi-byte fields are little-endian. The trailing CRC lets a collector reject truncated or
 * bit-flipped payloads before it merges them.
 */

import { crc32 as zlibCrc32 } from 'node:zlib';

/** CRC-32 (IEEE 802.3, as in zlib/PNG) of `bytes[start, end)`: Node's zlib.crc32 (Node 20.15+), the spool's too. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return zlibCrc32(bytes.subarray(start, end));
}

/** Writes the CRC-32 of `bytes[0, length-4)` into the last four bytes. */
export function sealCrc(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
}

export function writeMagic(bytes: Uint8Array, magic: string): void {
  for (let i = 0; i < 4; i++) bytes[i] = magic.charCodeAt(i);
}

/**
 * Checks length, magic, version and CRC; returns a DataView over `bytes`.
 * @throws Error naming `what` and the first problem found.
 */
export function openChecked(
  bytes: Uint8Array,
  what: string,
  magic: string,
  version: number,
  minLength: number,
): DataView {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${what}: expected a Uint8Array`);
  if (bytes.length < minLength)
    throw new Error(`${what}: truncated input (${bytes.length} bytes, need at least ${minLength})`);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== magic.charCodeAt(i)) throw new Error(`${what}: bad magic (not a serialized ${what})`);
  }
  if (bytes[4] !== version) throw new Error(`${what}: unsupported version ${bytes[4]} (expected ${version})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = view.getUint32(bytes.length - 4, true);
  if (stored !== crc32(bytes, 0, bytes.length - 4))
    throw new Error(`${what}: checksum mismatch (corrupt or truncated input)`);
  return view;
}
