import { DECODE_ERROR_REASONS, type DecodedPacket } from '@wirewatch/packet';
import { CLASS_COUNT, CLASS_TCP, PROTOCOL_CLASSES, emptyClassRecord } from './protocol-class.js';
import { qtypeName, rcodeName } from './dns-names.js';
import type { SummaryCounters } from './summary.js';

const SIZE_BOUNDS = [64, 127, 255, 511, 1023, 1518];
const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;
const TCP_URG = 0x20;
const TCP_ECE = 0x40;
const TCP_CWR = 0x80;

/**
 * Fixed-size counters every summarizer keeps: totals, classes, TCP flags, frame sizes, DNS header
 * fields, decode errors. Plain typed arrays, so counting allocates nothing and memory never grows.
 */
export class BasicCounters {
  packets = 0;
  bytes = 0;
  capturedBytes = 0;
  /** [packets, bytes] per class. */
  readonly classes = new Float64Array(CLASS_COUNT * 2);
  /** syn, syn_ack, fin, rst, psh, ack, urg, ece, cwr. */
  readonly tcpFlags = new Float64Array(9);
  readonly sizes = new Float64Array(SIZE_BOUNDS.length + 1);
  readonly errors = new Float64Array(DECODE_ERROR_REASONS.length);
  dnsQueries = 0;
  dnsResponses = 0;
  readonly dnsRcodes = new Float64Array(16);
  readonly dnsQtypes = new Float64Array(65536);

  add(d: DecodedPacket, cls: number): void {
    const wireLength = d.wireLength;
    this.packets++;
    this.bytes += wireLength;
    this.capturedBytes += d.capturedLength;
    this.classes[cls * 2]++;
    this.classes[cls * 2 + 1] += wireLength;
    this.sizes[sizeBucket(wireLength)]++;
    if (d.error !== 0) this.errors[d.error]++;
    if (cls === CLASS_TCP && d.tcpFlags >= 0) this.countTcpFlags(d.tcpFlags);
    if (d.isDns) {
      if (d.dnsResponse) {
        this.dnsResponses++;
        this.dnsRcodes[d.dnsRcode]++;
      } else {
        this.dnsQueries++;
        if (d.dnsQtype >= 0) this.dnsQtypes[d.dnsQtype]++;
      }
    }
  }

  reset(): void {
    this.packets = this.bytes = this.capturedBytes = this.dnsQueries = this.dnsResponses = 0;
    this.classes.fill(0);
    this.tcpFlags.fill(0);
    this.sizes.fill(0);
    this.errors.fill(0);
    this.dnsRcodes.fill(0);
    this.dnsQtypes.fill(0);
  }

  /** The counter sections of the summary: every summarizer's SummaryCounters come from here. */
  fill(): SummaryCounters {
    const protocols = emptyClassRecord(() => ({ packets: 0, bytes: 0 }));
    PROTOCOL_CLASSES.forEach((name, i) => {
      protocols[name] = { packets: this.classes[i * 2], bytes: this.classes[i * 2 + 1] };
    });
    const f = this.tcpFlags;
    const byReason: Record<string, number> = {};
    let errorTotal = 0;
    this.errors.forEach((count, reason) => {
      if (count > 0) {
        byReason[DECODE_ERROR_REASONS[reason]] = count;
        errorTotal += count;
      }
    });
    const rcodes: Record<string, number> = {};
    this.dnsRcodes.forEach((count, code) => {
      if (count > 0) rcodes[rcodeName(code)] = count;
    });
    const qtypes: Record<string, number> = {};
    this.dnsQtypes.forEach((count, type) => {
      if (count > 0) qtypes[qtypeName(type)] = count;
    });
    return {
      packets: this.packets,
      bytes: this.bytes,
      captured_bytes: this.capturedBytes,
      protocols,
      tcp_flags: {
        syn: f[0],
        syn_ack: f[1],
        fin: f[2],
        rst: f[3],
        psh: f[4],
        ack: f[5],
        urg: f[6],
        ece: f[7],
        cwr: f[8],
      },
      packet_sizes: [...SIZE_BOUNDS, null].map((le, i) => ({ le, packets: this.sizes[i] })),
      dns: { queries: this.dnsQueries, responses: this.dnsResponses, nxdomain: this.dnsRcodes[3], rcodes, qtypes },
      decode_errors: { total: errorTotal, by_reason: byReason },
    };
  }

  private countTcpFlags(flags: number): void {
    const t = this.tcpFlags;
    if (flags & TCP_SYN) t[flags & TCP_ACK ? 1 : 0]++;
    if (flags & TCP_FIN) t[2]++;
    if (flags & TCP_RST) t[3]++;
    if (flags & TCP_PSH) t[4]++;
    if (flags & TCP_ACK) t[5]++;
    if (flags & TCP_URG) t[6]++;
    if (flags & TCP_ECE) t[7]++;
    if (flags & TCP_CWR) t[8]++;
  }
}

function sizeBucket(length: number): number {
  if (length <= 64) return 0;
  if (length <= 127) return 1;
  if (length <= 255) return 2;
  if (length <= 511) return 3;
  if (length <= 1023) return 4;
  if (length <= 1518) return 5;
  return 6;
}
