import type { DecodedPacket } from './decoded-packet.js';
import { decodeEthertype } from './ethertype.js';
import { decodeIpv4 } from './ipv4.js';

/** IEEE 802.2 LLC: only SNAP (AA AA 03 + OUI + EtherType) carries a protocol we follow. */
export function decodeLlc(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 8) return;
  if (buf[off] !== 0xaa || buf[off + 1] !== 0xaa || buf[off + 2] !== 0x03) return;
  decodeEthertype(d, buf, off + 8, end, (buf[off + 6] << 8) | buf[off + 7]);
}

/** Classical IP over ATM (RFC 1483/2684): LLC/SNAP when it starts with AA AA 03, else a bare IPv4 packet. */
export function decodeClassicalIp(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off >= 3 && buf[off] === 0xaa && buf[off + 1] === 0xaa && buf[off + 2] === 0x03)
    return decodeLlc(d, buf, off, end);
  decodeIpv4(d, buf, off, end);
}
