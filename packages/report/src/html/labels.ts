/** Display names shared by the server-rendered sections. client.js keeps its own copy for chart labels. */
import type { ProtocolClass } from '../schema.js';

export const PROTOCOL_CLASS_LABELS: Record<ProtocolClass, string> = {
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMP',
  icmpv6: 'ICMPv6',
  'other-ip': 'Other IP',
  arp: 'ARP',
  other: 'Other',
};

const IP_PROTOCOL_NAMES: Record<number, string> = {
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  132: 'SCTP',
};

/** `TCP`, `UDP`, ... or `IP 253` for numbers without a well-known name; null (header cut short) is `Unknown`. */
export function ipProtocolName(proto: number | null): string {
  if (proto === null) return 'Unknown';
  return IP_PROTOCOL_NAMES[proto] ?? `IP ${proto}`;
}
