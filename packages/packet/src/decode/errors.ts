/** Reason codes for DecodedPacket.error; the names are what reports show. */
export const ERR_LINK_TRUNCATED = 1;
export const ERR_VLAN_TRUNCATED = 2;
export const ERR_IPV4_TRUNCATED = 3;
export const ERR_IPV4_BAD_VERSION = 4;
export const ERR_IPV4_BAD_HEADER_LENGTH = 5;
export const ERR_IPV6_TRUNCATED = 6;
export const ERR_IPV6_BAD_VERSION = 7;
export const ERR_IPV6_EXT_TRUNCATED = 8;
export const ERR_TCP_TRUNCATED = 9;
export const ERR_TCP_BAD_OFFSET = 10;
export const ERR_UDP_TRUNCATED = 11;
export const ERR_ICMP_TRUNCATED = 12;
export const ERR_ARP_TRUNCATED = 13;
export const ERR_DNS_MALFORMED = 14;
export const ERR_IPV4_BAD_TOTAL_LENGTH = 15;
/** The decoder itself threw: a bug, but one packet's worth, never the whole run. */
export const ERR_DECODER_EXCEPTION = 16;

export const DECODE_ERROR_REASONS: readonly string[] = [
  'none',
  'link.truncated',
  'vlan.truncated',
  'ipv4.truncated',
  'ipv4.bad-version',
  'ipv4.bad-header-length',
  'ipv6.truncated',
  'ipv6.bad-version',
  'ipv6.extension-truncated',
  'tcp.truncated',
  'tcp.bad-data-offset',
  'udp.truncated',
  'icmp.truncated',
  'arp.truncated',
  'dns.malformed',
  'ipv4.bad-total-length',
  'decoder.exception',
];
