import type { DecodedPacket } from './decoded-packet.js';
import { NET_ARP } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

const RFC1051_IP = 0xf0;
const RFC1051_ARP = 0xf1;
const RFC1201_IP = 0xd4;
const RFC1201_ARP = 0xd5;
const RFC1201_RARP = 0xd6;
const ARCNET_IPV6 = 0xc4;

/**
 * ARCNET: source and destination station bytes (the Linux header adds a 2-byte offset), a protocol
 * id, and for RFC 1201 ids a split flag and sequence number (an exception frame has 4 more bytes).
 */
export function decodeArcnet(d: DecodedPacket, buf: Uint8Array, off: number, end: number, linuxHeader: boolean): void {
  let p = off + (linuxHeader ? 4 : 2);
  if (end - p < 1) return d.fail(ERR_LINK_TRUNCATED);
  const protocol = buf[p++];
  if (protocol === RFC1201_IP || protocol === RFC1201_ARP || protocol === RFC1201_RARP || protocol === ARCNET_IPV6) {
    if (end - p < 3) return d.fail(ERR_LINK_TRUNCATED);
    p += buf[p] === 0xff ? 7 : 3;
  }
  switch (protocol) {
    case RFC1051_IP:
    case RFC1201_IP:
      return decodeIpv4(d, buf, p, end);
    case ARCNET_IPV6:
      return decodeIpv6(d, buf, p, end);
    case RFC1051_ARP:
    case RFC1201_ARP:
    case RFC1201_RARP:
      d.network = NET_ARP;
      return;
    default:
      return;
  }
}
