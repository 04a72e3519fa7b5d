import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeEthertype } from './ethertype.js';
import { decodeLlc } from './llc.js';

/** Ethernet II, or IEEE 802.3 with an LLC header when the type field is a length (<= 1500). */
export function decodeEthernet(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 14) return d.fail(ERR_LINK_TRUNCATED);
  const type = (buf[off + 12] << 8) | buf[off + 13];
  if (type <= 1500) return decodeLlc(d, buf, off + 14, end);
  decodeEthertype(d, buf, off + 14, end, type);
}
