/**
 * The result of decoding one frame: offsets and numbers only, reused for every packet so that
 * decoding allocates nothing. Fields beyond the layer that was reached keep stale values: read them
 * only when the flags before them say they are set.
 */
export const NET_NONE = 0;
export const NET_IPV4 = 4;
export const NET_IPV6 = 6;
export const NET_ARP = 1;

export class DecodedPacket {
  /**
   * The record's metadata, set by decodeRecord. Summarizers read them from here rather than take them
   * as arguments: a double passed to a function V8 does not inline is boxed on every call.
   */
  timestamp = 0;
  wireLength = 0;
  capturedLength = 0;
  linkType = 0;
  /** NET_NONE, NET_IPV4, NET_IPV6 or NET_ARP: the outermost network layer found. */
  network = NET_NONE;
  ipOffset = 0;
  /** The protocol the outermost IP header carries (IPv6: after extension headers); -1 if unknown. */
  ipProto = -1;
  /** Whether the src words hold the outermost IP header's source address (it may be cut off after it). */
  hasSource = false;
  /** Whether the dst words hold its destination address. */
  hasDestination = false;
  /** Addresses as big-endian 32-bit words; IPv4 uses word 0 only (the others are 0). */
  src0 = 0;
  src1 = 0;
  src2 = 0;
  src3 = 0;
  dst0 = 0;
  dst1 = 0;
  dst2 = 0;
  dst3 = 0;
  /** A fragment other than the first: the transport header is not in this packet. */
  laterFragment = false;
  /** Transport header start and end of the IP payload (bounded by what was captured). */
  l4Offset = 0;
  l4End = 0;
  hasPorts = false;
  srcPort = 0;
  dstPort = 0;
  /** TCP flags byte (FIN 0x01 ... CWR 0x80); -1 when not TCP or not captured. */
  tcpFlags = -1;
  icmpType = -1;
  /** First decode error's reason code (see DECODE_ERROR_REASONS), 0 if none. */
  error = 0;
  /** DNS over UDP port 53: whether a DNS header was parsed. */
  isDns = false;
  dnsResponse = false;
  dnsRcode = 0;
  /** Query type of the first question; -1 when there is no (well-formed) question. */
  dnsQtype = -1;
  /** The first question's name, lower-cased ASCII with dots, in dnsName[0..dnsNameLength). */
  readonly dnsName = new Uint8Array(256);
  dnsNameLength = 0;

  reset(linkType: number): void {
    this.linkType = linkType;
    this.network = NET_NONE;
    this.ipProto = -1;
    this.hasSource = false;
    this.hasDestination = false;
    this.laterFragment = false;
    this.hasPorts = false;
    this.tcpFlags = -1;
    this.icmpType = -1;
    this.error = 0;
    this.isDns = false;
    this.dnsQtype = -1;
    this.dnsNameLength = 0;
  }

  fail(reason: number): void {
    if (this.error === 0) this.error = reason;
  }
}
