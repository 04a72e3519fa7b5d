import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeEthernet } from './ethernet.js';
import { decodeEthertype } from './ethertype.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeMpls } from './mpls.js';

/** IEEE 802.1AE MACsec SecTAG; only an unencrypted (integrity-only) payload can be followed. */
export function decodeMacsec(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 6) return d.fail(ERR_LINK_TRUNCATED);
  const tci = buf[off];
  if (tci & 0x0c) return; // E (encrypted) or C (changed): the payload is not plain
  const tagLength = tci & 0x20 ? 14 : 6; // SC: an explicit 8-byte SCI follows the packet number
  if (end - off < tagLength + 2) return d.fail(ERR_LINK_TRUNCATED);
  decodeEthertype(d, buf, off + tagLength + 2, end, (buf[off + tagLength] << 8) | buf[off + tagLength + 1]);
}

/** Arista's vendor EtherType (0xd28b): a timestamp subtype with a 64- or 48-bit time, then an EtherType. */
export function decodeArista(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 4) return d.fail(ERR_LINK_TRUNCATED);
  const subtype = (buf[off] << 8) | buf[off + 1];
  if (subtype !== 0x0001) return;
  const format = (buf[off + 3] >> 4) & 0x0f;
  const timeBytes = format === 1 ? 8 : format === 2 ? 6 : -1;
  if (timeBytes < 0) return;
  const next = off + 4 + timeBytes;
  if (end - next < 2) return d.fail(ERR_LINK_TRUNCATED);
  decodeEthertype(d, buf, next + 2, end, (buf[next] << 8) | buf[next + 1]);
}

/** Network Service Header (RFC 8300): its length in 4-byte words, then IPv4, IPv6, Ethernet or MPLS. */
export function decodeNsh(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 8) return d.fail(ERR_LINK_TRUNCATED);
  const length = (buf[off + 1] & 0x3f) * 4;
  const next = buf[off + 3];
  if (length < 8 || end - off < length) return d.fail(ERR_LINK_TRUNCATED);
  const payload = off + length;
  if (next === 1) decodeIpv4(d, buf, payload, end);
  else if (next === 2) decodeIpv6(d, buf, payload, end);
  else if (next === 3) decodeEthernet(d, buf, payload, end);
  else if (next === 5) decodeMpls(d, buf, payload, end);
}
