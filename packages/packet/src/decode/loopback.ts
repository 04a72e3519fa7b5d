import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

const AF_INET = 2;
/** AF_INET6 differs by OS: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30. */
function isInet6(family: number): boolean {
  return family === 24 || family === 28 || family === 30 || family === 10;
}

/** BSD loopback (NULL, 0): a 4-byte address family in the capturing host's byte order. */
export function decodeNull(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 4) return d.fail(ERR_LINK_TRUNCATED);
  const family =
    buf[off] === 0 && buf[off + 1] === 0 ? (buf[off + 2] << 8) | buf[off + 3] : buf[off] | (buf[off + 1] << 8);
  decodeFamily(d, buf, off + 4, end, family);
}

/** OpenBSD loopback (LOOP, 108): the address family in network byte order. */
export function decodeLoop(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 4) return d.fail(ERR_LINK_TRUNCATED);
  decodeFamily(
    d,
    buf,
    off + 4,
    end,
    ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0,
  );
}

function decodeFamily(d: DecodedPacket, buf: Uint8Array, off: number, end: number, family: number): void {
  if (family === AF_INET) decodeIpv4(d, buf, off, end);
  else if (isInet6(family)) decodeIpv6(d, buf, off, end);
}

/** Raw IP: the version nibble of the first byte tells IPv4 from IPv6. */
export function decodeRawIp(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 1) return d.fail(ERR_LINK_TRUNCATED);
  const version = buf[off] >> 4;
  if (version === 4) decodeIpv4(d, buf, off, end);
  else if (version === 6) decodeIpv6(d, buf, off, end);
}
