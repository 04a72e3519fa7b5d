import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeEthertype } from './ethertype.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

/** Cisco HDLC (104): address, control, then an EtherType. */
export function decodeCiscoHdlc(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 4) return d.fail(ERR_LINK_TRUNCATED);
  decodeEthertype(d, buf, off + 4, end, (buf[off + 2] << 8) | buf[off + 3]);
}

const NLPID_IPV4 = 0xcc;
const NLPID_IPV6 = 0x8e;

/** Frame Relay (107): a Q.922 address, UI control (03), optional pad, then an NLPID. */
export function decodeFrameRelay(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  let p = off;
  while (p < end && (buf[p] & 0x01) === 0) p++;
  p++;
  if (end - p < 2 || buf[p] !== 0x03) return d.fail(ERR_LINK_TRUNCATED);
  p++;
  if (buf[p] === 0x00) p++;
  if (p >= end) return d.fail(ERR_LINK_TRUNCATED);
  if (buf[p] === NLPID_IPV4) decodeIpv4(d, buf, p + 1, end);
  else if (buf[p] === NLPID_IPV6) decodeIpv6(d, buf, p + 1, end);
}
