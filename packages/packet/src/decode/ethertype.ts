import type { DecodedPacket } from './decoded-packet.js';
import { NET_ARP } from './decoded-packet.js';
import { ERR_ARP_TRUNCATED, ERR_VLAN_TRUNCATED } from './errors.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeMpls } from './mpls.js';
import { decodePppoeSession } from './ppp.js';
import { decodeArista, decodeMacsec, decodeNsh } from './shim-headers.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_RARP = 0x8035;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
export const ETHERTYPE_MACSEC = 0x88e5;
export const ETHERTYPE_NSH = 0x894f;
export const ETHERTYPE_ARISTA = 0xd28b;

/** Continues decoding at `off` with the protocol an EtherType names; 802.1Q/802.1ad tags are peeled here. */
export function decodeEthertype(d: DecodedPacket, buf: Uint8Array, off: number, end: number, type: number): void {
  for (;;) {
    if (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
      if (end - off < 4) return d.fail(ERR_VLAN_TRUNCATED);
      type = (buf[off + 2] << 8) | buf[off + 3];
      off += 4;
      continue;
    }
    break;
  }
  switch (type) {
    case ETHERTYPE_IPV4:
      return decodeIpv4(d, buf, off, end);
    case ETHERTYPE_IPV6:
      return decodeIpv6(d, buf, off, end);
    case ETHERTYPE_ARP:
    case ETHERTYPE_RARP:
      d.network = NET_ARP;
      if (end - off < 8) d.fail(ERR_ARP_TRUNCATED);
      return;
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MULTICAST:
      return decodeMpls(d, buf, off, end);
    case ETHERTYPE_PPPOE_SESSION:
      return decodePppoeSession(d, buf, off, end);
    case ETHERTYPE_MACSEC:
      return decodeMacsec(d, buf, off, end);
    case ETHERTYPE_NSH:
      return decodeNsh(d, buf, off, end);
    case ETHERTYPE_ARISTA:
      return decodeArista(d, buf, off, end);
    default:
      return;
  }
}
