import type { ChunkFeed } from './chunk-feed.js';
import { u32be, u32le } from './bytes.js';
import { pseudoHeaderBytes } from './pseudo-header.js';
import { ReaderBase } from './reader-base.js';
import type { RecordReader } from './record-reader.js';
import { CaptureFormatError } from '../errors.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Alexey Kuznetzov's patched libpcap: 24-byte record headers (ifindex, protocol, pkt_type). */
export const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;
const GLOBAL_HEADER = 24;
/** libpcap and wiretap refuse records larger than this (their maximum snapshot length). */
const MAX_PCAP_CAPLEN = 262144;

export function isPcapMagic(magicBE: number): boolean {
  const le = swap32(magicBE);
  return [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_KUZNETZOV].some((m) => m === magicBE || m === le);
}

export class PcapReader extends ReaderBase implements RecordReader {
  readonly format = 'pcap' as const;
  private readonly littleEndian: boolean;
  private readonly fractionDivisor: number;
  private readonly recordHeaderBytes: number;
  private readonly pseudoHeader: number;

  constructor(feed: ChunkFeed, name: string) {
    super(feed, name);
    const w = this.window;
    if (!w.ensure(GLOBAL_HEADER)) throw new CaptureFormatError(`${name}: PCAP header cut short`);
    const magicBE = u32be(w.buf, w.start);
    this.littleEndian = magicBE !== PCAP_MAGIC_US && magicBE !== PCAP_MAGIC_NS && magicBE !== PCAP_MAGIC_KUZNETZOV;
    const magic = this.littleEndian ? swap32(magicBE) : magicBE;
    this.fractionDivisor = magic === PCAP_MAGIC_NS ? 1e9 : 1e6;
    this.recordHeaderBytes = magic === PCAP_MAGIC_KUZNETZOV ? 24 : 16;
    const network = this.u32(w.start + 20);
    this.linkType = network & 0xffff;
    this.linkTypes.add(this.linkType);
    this.pseudoHeader = pseudoHeaderBytes(this.linkType);
    w.start += GLOBAL_HEADER;
  }

  next(): boolean {
    if (this.done) return false;
    const w = this.window;
    w.start += this.pendingSkip;
    this.pendingSkip = 0;
    const hdr = this.recordHeaderBytes;
    if (!w.ensure(hdr)) {
      if (w.end > w.start) this.stop(`file ends inside a record header at byte ${w.position}`);
      this.done = true;
      return false;
    }
    const at = w.start;
    const caplen = this.u32(at + 8);
    const origLen = this.u32(at + 12);
    if (caplen > MAX_PCAP_CAPLEN) {
      return this.stop(`corrupt record at byte ${w.position}: captured length ${caplen} exceeds ${MAX_PCAP_CAPLEN}`);
    }
    if (!w.ensure(hdr + caplen)) {
      return this.stop(`file ends inside the record at byte ${w.position} (${caplen} bytes announced)`);
    }
    const start = w.start;
    this.setRecord(
      start + hdr,
      caplen,
      origLen,
      this.u32(start) + this.u32(start + 4) / this.fractionDivisor,
      this.pseudoHeader,
    );
    this.pendingSkip = hdr + caplen;
    return true;
  }

  private u32(at: number): number {
    return this.littleEndian ? u32le(this.window.buf, at) : u32be(this.window.buf, at);
  }
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}
