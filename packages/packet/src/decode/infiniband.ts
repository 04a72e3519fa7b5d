import type { DecodedPacket } from './decoded-packet.js';
import { ERR_LINK_TRUNCATED } from './errors.js';
import { decodeEthertype } from './ethertype.js';

/** IP over InfiniBand (242): a 40-byte address header, an EtherType, two reserved bytes. */
export function decodeIpoib(d: DecodedPacket, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 44) return d.fail(ERR_LINK_TRUNCATED);
  decodeEthertype(d, buf, off + 44, end, (buf[off + 40] << 8) | buf[off + 41]);
}
