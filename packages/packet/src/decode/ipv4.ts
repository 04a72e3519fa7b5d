import type { DecodedPacket } from './decoded-packet.js';
import { NET_IPV4 } from './decoded-packet.js';
import {
  ERR_IPV4_BAD_HEADER_LENGTH,
  ERR_IPV4_BAD_TOTAL_LENGTH,
  ERR_IPV4_BAD_VERSION,
  ERR_IPV4_TRUNCATED,
} from './errors.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeTransport } from './transport.js';

/**
 * IPv4 with options and fragments. The protocol field classifies every fragment; only the first
 * fragment carries the transport header. A total length of 0 is taken as TCP segmentation offload.
 * A header cut short yields every field it still holds (protocol, then source, then destination),
 * the way Wireshark reads it. A frame the link layer calls IPv4 stays IPv4 (class other-ip) with a
 * wrong version, again as Wireshark counts it, unless that version is 6.
 */
export function decodeIpv4(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  d.network = NET_IPV4;
  d.ipOffset = off;
  const avail = end - off;
  if (avail < 1) return d.fail(ERR_IPV4_TRUNCATED);
  const version = buf[off] >> 4;
  if (version !== 4) {
    d.fail(ERR_IPV4_BAD_VERSION);
    // Labelled IPv4 but carrying IPv6: Wireshark and tcpdump both read it as IPv6.
    if (version === 6) decodeIpv6(d, buf, off, end);
    return;
  }
  const headerLength = (buf[off] & 0x0f) * 4;
  if (headerLength < 20) return d.fail(ERR_IPV4_BAD_HEADER_LENGTH);
  if (avail < 4) return d.fail(ERR_IPV4_TRUNCATED);
  const totalLength = (buf[off + 2] << 8) | buf[off + 3];
  if (totalLength !== 0 && totalLength < headerLength) return d.fail(ERR_IPV4_BAD_TOTAL_LENGTH);
  if (avail < 20) {
    if (avail >= 10) d.ipProto = buf[off + 9];
    if (avail >= 16) {
      d.hasSource = true;
      d.src0 = word(buf, off + 12);
      d.src1 = d.src2 = d.src3 = 0;
    }
    return d.fail(ERR_IPV4_TRUNCATED);
  }
  d.ipProto = buf[off + 9];
  d.hasSource = d.hasDestination = true;
  d.src0 = word(buf, off + 12);
  d.dst0 = word(buf, off + 16);
  d.src1 = d.src2 = d.src3 = d.dst1 = d.dst2 = d.dst3 = 0;
  if (avail < headerLength) return d.fail(ERR_IPV4_TRUNCATED);
  const payloadEnd = totalLength !== 0 && off + totalLength < end ? off + totalLength : end;
  const fragmentOffset = ((buf[off + 6] & 0x1f) << 8) | buf[off + 7];
  if (fragmentOffset !== 0) {
    d.laterFragment = true;
    return;
  }
  decodeTransport(d, buf, off + headerLength, payloadEnd, d.ipProto);
}

function word(buf: Uint8Array, at: number): number {
  return ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
}
