import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeMpls } from './mpls.js';

const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
const PPP_MPLS_UNICAST = 0x0281;
const PPP_MPLS_MULTICAST = 0x0283;

/** A PPP protocol field followed by its payload; the field may be compressed to one byte. */
export function decodePppProtocol(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 1) return d.fail(ERR_LINK_TRUNCATED);
  let proto: number;
  if (buf[off] & 0x01) {
    proto = buf[off];
    off += 1;
  } else {
    if (end - off < 2) return d.fail(ERR_LINK_TRUNCATED);
    proto = (buf[off] << 8) | buf[off + 1];
    off += 2;
  }
  if (proto === PPP_IPV4) decodeIpv4(d, buf, off, end);
  else if (proto === PPP_IPV6) decodeIpv6(d, buf, off, end);
  else if (proto === PPP_MPLS_UNICAST || proto === PPP_MPLS_MULTICAST) decodeMpls(d, buf, off, end);
}

/** PPP with an optional HDLC address/control pair (FF 03) in front. */
export function decodePpp(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off >= 2 && buf[off] === 0xff && buf[off + 1] === 0x03) off += 2;
  decodePppProtocol(d, buf, off, end);
}

/** PPPoE session stage: a 6-byte header, then a PPP protocol field. */
export function decodePppoeSession(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 6) return d.fail(ERR_LINK_TRUNCATED);
  decodePppProtocol(d, buf, off + 6, end);
}
