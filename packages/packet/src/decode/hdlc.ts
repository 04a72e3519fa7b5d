import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeEthertype } from './ethertype.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

/** In Cisco HDLC, 0x8035 is SLARP (serial line keepalives), not RARP. */
const CHDLC_SLARP = 0x8035;

/** Cisco HDLC (104): address, control, then an EtherType. */
export function decodeCiscoHdlc(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 4) return d.fail(ERR_LINK_TRUNCATED);
  const type = (buf[off + 2] << 8) | buf[off + 3];
  if (type !== CHDLC_SLARP) decodeEthertype(d, buf, off + 4, end, type);
}

const NLPID_IPV4 = 0xcc;
const NLPID_IPV6 = 0x8e;

/**
 * Frame Relay (107): a Q.922 address, then either RFC 2427 (UI control 03, optional pad, an NLPID) or
 * Cisco's encapsulation (an EtherType right after the address).
 */
export function decodeFrameRelay(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  let p = off;
  while (p < end && (buf[p] & 0x01) === 0) p++;
  p++;
  if (end - p < 2) return d.fail(ERR_LINK_TRUNCATED);
  if (buf[p] !== 0x03) return decodeEthertype(d, buf, p + 2, end, (buf[p] << 8) | buf[p + 1]);
  p++;
  if (buf[p] === 0x00) p++;
  if (p >= end) return d.fail(ERR_LINK_TRUNCATED);
  if (buf[p] === NLPID_IPV4) decodeIpv4(d, buf, p + 1, end);
  else if (buf[p] === NLPID_IPV6) decodeIpv6(d, buf, p + 1, end);
}
