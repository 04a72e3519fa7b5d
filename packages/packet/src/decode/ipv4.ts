import type { DecodedPacket } from './decoded-packet.js';
import { NET_IPV4 } from './decoded-packet.js';
import { ERR_IPV4_BAD_HEADER_LENGTH, ERR_IPV4_BAD_TOTAL_LENGTH, ERR_IPV4_BAD_VERSION, ERR_IPV4_TRUNCATED } from './errors.js';
import { decodeTransport } from './transport.js';

/**
 * IPv4 with options and fragments. The protocol field classifies every fragment; only the first
 * fragment carries the transport header. A total length of 0 is taken as TCP segmentation offload.
 */
export function decodeIpv4(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  d.network = NET_IPV4;
  d.ipOffset = off;
  const avail = end - off;
  if (avail < 1) return d.fail(ERR_IPV4_TRUNCATED);
  if (buf[off] >> 4 !== 4) return d.fail(ERR_IPV4_BAD_VERSION);
  const headerLength = (buf[off] & 0x0f) * 4;
  if (headerLength < 20) return d.fail(ERR_IPV4_BAD_HEADER_LENGTH);
  if (avail < 20) {
    if (avail >= 10) d.ipProto = buf[off + 9];
    return d.fail(ERR_IPV4_TRUNCATED);
  }
  d.ipProto = buf[off + 9];
  d.hasAddresses = true;
  d.src0 = ((buf[off + 12] << 24) | (buf[off + 13] << 16) | (buf[off + 14] << 8) | buf[off + 15]) >>> 0;
  d.dst0 = ((buf[off + 16] << 24) | (buf[off + 17] << 16) | (buf[off + 18] << 8) | buf[off + 19]) >>> 0;
  d.src1 = d.src2 = d.src3 = d.dst1 = d.dst2 = d.dst3 = 0;
  const totalLength = (buf[off + 2] << 8) | buf[off + 3];
  let payloadEnd = end;
  if (totalLength !== 0) {
    if (totalLength < headerLength) return d.fail(ERR_IPV4_BAD_TOTAL_LENGTH);
    if (off + totalLength < end) payloadEnd = off + totalLength;
  }
  if (avail < headerLength) return d.fail(ERR_IPV4_TRUNCATED);
  const fragmentOffset = ((buf[off + 6] & 0x1f) << 8) | buf[off + 7];
  if (fragmentOffset !== 0) {
    d.laterFragment = true;
    return;
  }
  decodeTransport(d, buf, off + headerLength, payloadEnd, d.ipProto);
}
