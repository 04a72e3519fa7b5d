/**
 * Headers that a capturing system puts in front of the frame (metadata, not wire bytes): Apple PKTAP,
 * Solaris IPNET, Linux NFLOG, Juniper's MGC header.
 */
import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeEthernet } from './ethernet.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

type LinkDecoder = (d: DecodedPacket, buf: Uint8Array, off: number, end: number, linkType: number) => void;

function u32le(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0;
}

/** Apple PKTAP (258, and 149 as macOS writes it): header length and the inner DLT, then that frame. */
export function decodePktap(
  d: DecodedPacket,
  buf: Uint8Array,
  off: number,
  end: number,
  decodeInner: LinkDecoder,
): void {
  if (end - off < 8) return d.fail(ERR_LINK_TRUNCATED);
  const length = u32le(buf, off);
  const dlt = u32le(buf, off + 4);
  if (length < 8 || end - off < length) return d.fail(ERR_LINK_TRUNCATED);
  decodeInner(d, buf, off + length, end, dlt);
}

const IPNET_AF_INET = 2;
const IPNET_AF_INET6 = 26;

/** Solaris IPNET (226): a 24-byte header whose second byte is the address family. */
export function decodeIpnet(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 24) return d.fail(ERR_LINK_TRUNCATED);
  const family = buf[off + 1];
  if (family === IPNET_AF_INET) decodeIpv4(d, buf, off + 24, end);
  else if (family === IPNET_AF_INET6) decodeIpv6(d, buf, off + 24, end);
}

const NFULA_PAYLOAD = 9;

/** Linux NFLOG (239): family, version, resource id, then TLVs; the packet is the payload TLV. */
export function decodeNflog(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 4) return d.fail(ERR_LINK_TRUNCATED);
  const family = buf[off];
  let p = off + 4;
  while (end - p >= 4) {
    const length = buf[p] | (buf[p + 1] << 8);
    const type = (buf[p + 2] | (buf[p + 3] << 8)) & 0x7fff;
    if (length < 4 || p + length > end) return d.fail(ERR_LINK_TRUNCATED);
    if (type === NFULA_PAYLOAD) {
      const payloadEnd = p + length;
      if (family === 2) decodeIpv4(d, buf, p + 4, payloadEnd);
      else if (family === 10) decodeIpv6(d, buf, p + 4, payloadEnd);
      return;
    }
    p += (length + 3) & ~3;
  }
}

const JUNIPER_MAGIC = 0x4d4743;
const JUNIPER_FLAG_NO_L2 = 0x02;
const JUNIPER_FLAG_EXTENSIONS = 0x80;

/** Juniper Ethernet (178): "MGC", flags, optional extension TLVs, then the Ethernet frame. */
export function decodeJuniperEthernet(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 4) return d.fail(ERR_LINK_TRUNCATED);
  if (((buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2]) !== JUNIPER_MAGIC) return;
  const flags = buf[off + 3];
  let p = off + 4;
  if (flags & JUNIPER_FLAG_EXTENSIONS) {
    if (end - p < 2) return d.fail(ERR_LINK_TRUNCATED);
    p += 2 + ((buf[p] << 8) | buf[p + 1]);
  }
  if (flags & JUNIPER_FLAG_NO_L2) return;
  decodeEthernet(d, buf, p, end);
}
