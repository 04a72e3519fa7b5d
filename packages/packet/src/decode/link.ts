import type { RecordReader } from '../pcap-files/record-reader.js';
import type { DecodedPacket } from './decoded-packet.js';
import { decodeArcnet } from './arcnet.js';
import { decodeIpnet, decodeJuniperEthernet, decodeNflog, decodePktap } from './capture-headers.js';
import { decodeEthernet } from './ethernet.js';
import { ERR_DECODER_EXCEPTION } from './errors.js';
import { decodeCiscoHdlc, decodeFrameRelay } from './hdlc.js';
import { decodeIeee80211, decodeRadiotap } from './ieee80211.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpoib } from './infiniband.js';
import { decodeClassicalIp } from './llc.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeSll, decodeSll2 } from './linux-sll.js';
import { decodeLoop, decodeNull, decodeRawIp } from './loopback.js';
import { decodePpp } from './ppp.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ARCNET_BSD = 7;
export const LINKTYPE_ARCNET_LINUX = 129;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_RAW_BSD = 12;
export const LINKTYPE_RAW_OPENBSD = 14;
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_FRELAY = 107;
export const LINKTYPE_ATM_RFC1483 = 106;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_USER2_PKTAP = 149;
export const LINKTYPE_JUNIPER_ETHER = 178;
export const LINKTYPE_IPNET = 226;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_IPOIB = 242;
export const LINKTYPE_PKTAP = 258;

const NAMES: Record<number, string> = {
  [LINKTYPE_NULL]: 'NULL',
  [LINKTYPE_ARCNET_BSD]: 'ARCNET_BSD',
  [LINKTYPE_ARCNET_LINUX]: 'ARCNET_LINUX',
  [LINKTYPE_ETHERNET]: 'ETHERNET',
  [LINKTYPE_PPP]: 'PPP',
  [LINKTYPE_RAW_BSD]: 'RAW',
  [LINKTYPE_RAW_OPENBSD]: 'RAW',
  [LINKTYPE_PPP_HDLC]: 'PPP_HDLC',
  [LINKTYPE_RAW]: 'RAW',
  [LINKTYPE_C_HDLC]: 'C_HDLC',
  [LINKTYPE_IEEE802_11]: 'IEEE802_11',
  [LINKTYPE_FRELAY]: 'FRELAY',
  [LINKTYPE_ATM_RFC1483]: 'ATM_RFC1483',
  [LINKTYPE_LOOP]: 'LOOP',
  [LINKTYPE_LINUX_SLL]: 'LINUX_SLL',
  [LINKTYPE_IEEE802_11_RADIOTAP]: 'IEEE802_11_RADIOTAP',
  [LINKTYPE_IPV4]: 'IPV4',
  [LINKTYPE_IPV6]: 'IPV6',
  [LINKTYPE_LINUX_SLL2]: 'LINUX_SLL2',
  [LINKTYPE_USER2_PKTAP]: 'PKTAP',
  [LINKTYPE_JUNIPER_ETHER]: 'JUNIPER_ETHER',
  [LINKTYPE_IPNET]: 'IPNET',
  [LINKTYPE_NFLOG]: 'NFLOG',
  [LINKTYPE_IPOIB]: 'IPOIB',
  [LINKTYPE_PKTAP]: 'PKTAP',
};

/** Name of a link type; the ones wirewatch does not decode are named by number. */
export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `LINKTYPE_${linkType}`;
}

/** Dispatches on the capture's link type; frames of other link types stay undecoded (class "other"). */
export function decodeLink(d: DecodedPacket, buf: Uint8Array, off: number, end: number, linkType: number): void {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return decodeEthernet(d, buf, off, end);
    case LINKTYPE_LINUX_SLL:
      return decodeSll(d, buf, off, end);
    case LINKTYPE_LINUX_SLL2:
      return decodeSll2(d, buf, off, end);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_BSD:
    case LINKTYPE_RAW_OPENBSD:
      return decodeRawIp(d, buf, off, end);
    case LINKTYPE_IPV4:
      return decodeIpv4(d, buf, off, end);
    case LINKTYPE_IPV6:
      return decodeIpv6(d, buf, off, end);
    case LINKTYPE_NULL:
      return decodeNull(d, buf, off, end);
    case LINKTYPE_LOOP:
      return decodeLoop(d, buf, off, end);
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
      return decodePpp(d, buf, off, end);
    case LINKTYPE_C_HDLC:
      return decodeCiscoHdlc(d, buf, off, end);
    case LINKTYPE_FRELAY:
      return decodeFrameRelay(d, buf, off, end);
    case LINKTYPE_IEEE802_11:
      return decodeIeee80211(d, buf, off, end);
    case LINKTYPE_IEEE802_11_RADIOTAP:
      return decodeRadiotap(d, buf, off, end);
    case LINKTYPE_PKTAP:
    case LINKTYPE_USER2_PKTAP:
      return decodePktap(d, buf, off, end, decodeLink);
    case LINKTYPE_IPNET:
      return decodeIpnet(d, buf, off, end);
    case LINKTYPE_NFLOG:
      return decodeNflog(d, buf, off, end);
    case LINKTYPE_JUNIPER_ETHER:
      return decodeJuniperEthernet(d, buf, off, end);
    case LINKTYPE_IPOIB:
      return decodeIpoib(d, buf, off, end);
    case LINKTYPE_ATM_RFC1483:
      return decodeClassicalIp(d, buf, off, end);
    case LINKTYPE_ARCNET_BSD:
    case LINKTYPE_ARCNET_LINUX:
      return decodeArcnet(d, buf, off, end, linkType === LINKTYPE_ARCNET_LINUX);
    default:
      return;
  }
}

/** Decodes the reader's current record into `d`, with its timestamp and lengths. */
/** Decodes the current record of a reader, or any record with the same fields (a live capture's). */
export function decodeRecord(
  d: DecodedPacket,
  r: Pick<RecordReader, 'data' | 'offset' | 'caplen' | 'origLen' | 'timestamp' | 'linkType'>,
): void {
  d.timestamp = r.timestamp;
  d.wireLength = r.origLen;
  d.capturedLength = r.caplen;
  decodePacket(d, r.data, r.offset, r.caplen, r.linkType);
}

/** Decodes one frame into `d` (reset first). Never throws on malformed input: errors go to d.error. */
export function decodePacket(d: DecodedPacket, buf: Uint8Array, off: number, caplen: number, linkType: number): void {
  d.reset(linkType);
  try {
    decodeLink(d, buf, off, off + caplen, linkType);
  } catch {
    d.reset(linkType);
    d.fail(ERR_DECODER_EXCEPTION);
  }
}
