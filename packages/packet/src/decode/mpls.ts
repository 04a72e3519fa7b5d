import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

/** MPLS label stack; after the bottom label the payload's version nibble tells IPv4 from IPv6. */
export function decodeMpls(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  for (;;) {
    if (end - off < 4) return d.fail(ERR_LINK_TRUNCATED);
    const bottom = buf[off + 2] & 0x01;
    off += 4;
    if (bottom) break;
  }
  if (off >= end) return;
  const version = buf[off] >> 4;
  if (version === 4) decodeIpv4(d, buf, off, end);
  else if (version === 6) decodeIpv6(d, buf, off, end);
}
