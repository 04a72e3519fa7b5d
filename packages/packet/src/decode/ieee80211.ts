import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeLlc } from './llc.js';

const TYPE_DATA = 2;

/** IEEE 802.11: only unprotected data frames carry an LLC header (and maybe IP) we can follow. */
export function decodeIeee80211(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 2) return d.fail(ERR_LINK_TRUNCATED);
  const fc0 = buf[off];
  const flags = buf[off + 1];
  if (((fc0 >> 2) & 0x3) !== TYPE_DATA) return;
  const subtype = fc0 >> 4;
  if (subtype & 0x4) return; // null function: no body
  if (flags & 0x40) return; // protected: the body is encrypted
  let headerLength = (flags & 0x03) === 0x03 ? 30 : 24;
  if (subtype & 0x8) {
    headerLength += 2;
    if (flags & 0x80) headerLength += 4;
  }
  if (end - off < headerLength) return d.fail(ERR_LINK_TRUNCATED);
  decodeLlc(d, buf, off + headerLength, end);
}

/** Radiotap (127): a little-endian length at byte 2, then the 802.11 frame. */
export function decodeRadiotap(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 4) return d.fail(ERR_LINK_TRUNCATED);
  const length = buf[off + 2] | (buf[off + 3] << 8);
  if (length < 8 || end - off < length) return d.fail(ERR_LINK_TRUNCATED);
  decodeIeee80211(d, buf, off + length, end);
}
