import type { DecodedPacket } from './decoded-packet.js';
import { NET_IPV6, NET_NONE } from './decoded-packet.js';
import { ERR_IPV6_BAD_VERSION, ERR_IPV6_EXT_TRUNCATED, ERR_IPV6_TRUNCATED } from './errors.js';
import { decodeTransport } from './transport.js';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const DESTINATION_OPTIONS = 60;

/**
 * IPv6; the class protocol is the first header after hop-by-hop, routing, fragment and destination
 * options. A header cut short yields the fields it still holds (next header, source), as in Wireshark.
 */
export function decodeIpv6(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  d.network = NET_IPV6;
  d.ipOffset = off;
  const avail = end - off;
  if (avail < 1) return d.fail(ERR_IPV6_TRUNCATED);
  if (buf[off] >> 4 !== 6) {
    d.network = NET_NONE;
    return d.fail(ERR_IPV6_BAD_VERSION);
  }
  if (avail >= 7) d.ipProto = buf[off + 6];
  if (avail >= 24) {
    d.hasSource = true;
    d.src0 = word(buf, off + 8);
    d.src1 = word(buf, off + 12);
    d.src2 = word(buf, off + 16);
    d.src3 = word(buf, off + 20);
  }
  if (avail < 40) return d.fail(ERR_IPV6_TRUNCATED);
  d.hasDestination = true;
  d.dst0 = word(buf, off + 24);
  d.dst1 = word(buf, off + 28);
  d.dst2 = word(buf, off + 32);
  d.dst3 = word(buf, off + 36);
  const payloadLength = (buf[off + 4] << 8) | buf[off + 5];
  const payloadEnd = payloadLength !== 0 && off + 40 + payloadLength < end ? off + 40 + payloadLength : end;
  let next = buf[off + 6];
  let p = off + 40;
  for (;;) {
    if (next === HOP_BY_HOP || next === ROUTING || next === DESTINATION_OPTIONS) {
      if (payloadEnd - p < 2) return d.fail(ERR_IPV6_EXT_TRUNCATED);
      const length = (buf[p + 1] + 1) * 8;
      next = buf[p];
      p += length;
      if (p > payloadEnd) {
        d.ipProto = next;
        return d.fail(ERR_IPV6_EXT_TRUNCATED);
      }
    } else if (next === FRAGMENT) {
      if (payloadEnd - p < 8) return d.fail(ERR_IPV6_EXT_TRUNCATED);
      if ((((buf[p + 2] << 8) | buf[p + 3]) & 0xfff8) !== 0) d.laterFragment = true;
      next = buf[p];
      p += 8;
    } else {
      break;
    }
  }
  d.ipProto = next;
  if (!d.laterFragment) decodeTransport(d, buf, p, payloadEnd, next);
}

function word(buf: Uint8Array, at: number): number {
  return ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
}
