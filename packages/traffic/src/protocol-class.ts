import {
  DecodedPacket,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NET_ARP,
  NET_IPV4,
  NET_IPV6,
} from '@wirewatch/packet';
import type { ProtocolClass } from './summary.js';

export const CLASS_TCP = 0;
export const CLASS_UDP = 1;
export const CLASS_ICMP = 2;
export const CLASS_ICMPV6 = 3;
export const CLASS_OTHER_IP = 4;
export const CLASS_ARP = 5;
export const CLASS_OTHER = 6;
export const CLASS_COUNT = 7;

/** Class names by class number. */
export const PROTOCOL_CLASSES: readonly ProtocolClass[] = ['tcp', 'udp', 'icmp', 'icmpv6', 'other-ip', 'arp', 'other'];

/** A frame's class: the protocol its outermost IP header carries; ARP; or other. */
export function classify(d: DecodedPacket): number {
  const network = d.network;
  if (network === NET_IPV4 || network === NET_IPV6) {
    switch (d.ipProto) {
      case IPPROTO_TCP:
        return CLASS_TCP;
      case IPPROTO_UDP:
        return CLASS_UDP;
      case IPPROTO_ICMP:
        return CLASS_ICMP;
      case IPPROTO_ICMPV6:
        return CLASS_ICMPV6;
      default:
        return CLASS_OTHER_IP;
    }
  }
  return network === NET_ARP ? CLASS_ARP : CLASS_OTHER;
}

export function emptyClassRecord<T>(make: () => T): Record<ProtocolClass, T> {
  const out = {} as Record<ProtocolClass, T>;
  for (const name of PROTOCOL_CLASSES) out[name] = make();
  return out;
}
