import type { DecodedPacket } from './decoded-packet.js';
import { decodeDns } from './dns.js';
import { ERR_ICMP_TRUNCATED, ERR_TCP_BAD_OFFSET, ERR_TCP_TRUNCATED, ERR_UDP_TRUNCATED } from './errors.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
const DNS_PORT = 53;

/** The transport header at `off`; `end` is where the IP payload (or the capture) ends. */
export function decodeTransport(d: DecodedPacket, buf: Uint8Array, off: number, end: number, proto: number): void {
  d.l4Offset = off;
  d.l4End = end;
  const avail = end - off;
  switch (proto) {
    case IPPROTO_TCP:
      readPorts(d, buf, off, avail);
      if (avail >= 14) d.tcpFlags = buf[off + 13];
      if (avail < 20) return d.fail(ERR_TCP_TRUNCATED);
      if (buf[off + 12] >> 4 < 5) return d.fail(ERR_TCP_BAD_OFFSET);
      return;
    case IPPROTO_UDP: {
      readPorts(d, buf, off, avail);
      if (avail < 8) return d.fail(ERR_UDP_TRUNCATED);
      if (d.srcPort === DNS_PORT || d.dstPort === DNS_PORT) {
        const udpLength = (buf[off + 4] << 8) | buf[off + 5];
        const dnsEnd = udpLength >= 8 && off + udpLength < end ? off + udpLength : end;
        decodeDns(d, buf, off + 8, dnsEnd);
      }
      return;
    }
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
      if (avail >= 1) d.icmpType = buf[off];
      if (avail < 4) d.fail(ERR_ICMP_TRUNCATED);
      return;
    default:
      return;
  }
}

function readPorts(d: DecodedPacket, buf: Uint8Array, off: number, avail: number): void {
  if (avail < 4) return;
  d.hasPorts = true;
  d.srcPort = (buf[off] << 8) | buf[off + 1];
  d.dstPort = (buf[off + 2] << 8) | buf[off + 3];
}
