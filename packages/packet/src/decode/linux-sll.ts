import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeEthertype } from './ethertype.js';
import { decodeLlc } from './llc.js';

const SLL_LLC = 0x0004;

/** Linux cooked capture v1 (113): 16-byte header, protocol in the last two bytes. */
export function decodeSll(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 16) return d.fail(ERR_LINK_TRUNCATED);
  continueWith(d, buf, off + 16, end, (buf[off + 14] << 8) | buf[off + 15]);
}

/** Linux cooked capture v2 (276): 20-byte header, protocol in the first two bytes. */
export function decodeSll2(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 20) return d.fail(ERR_LINK_TRUNCATED);
  continueWith(d, buf, off + 20, end, (buf[off] << 8) | buf[off + 1]);
}

function continueWith(d: DecodedPacket, buf: Uint8Array, off: number, end: number, protocol: number): void {
  if (protocol === SLL_LLC) decodeLlc(d, buf, off, end);
  else if (protocol > 1500) decodeEthertype(d, buf, off, end, protocol);
}
