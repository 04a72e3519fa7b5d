import type { DecodedPacket } from './decoded-packet.js';
import { decodeEthertype } from './ethertype.js';

/** IEEE 802.2 LLC: only SNAP (AA AA 03 + OUI + EtherType) carries a protocol we follow. */
export function decodeLlc(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 8) return;
  if (buf[off] !== 0xaa || buf[off + 1] !== 0xaa || buf[off + 2] !== 0x03) return;
  decodeEthertype(d, buf, off + 8, end, (buf[off + 6] << 8) | buf[off + 7]);
}
