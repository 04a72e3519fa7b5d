import type { ChunkFeed } from './chunk-feed.js';
import { u16be, u16le, u32be, u32le } from './bytes.js';
import { MAX_RECORD_BYTES } from './chunk-window.js';
import { pseudoHeaderBytes } from './pseudo-header.js';
import { ReaderBase } from './reader-base.js';
import type { RecordReader } from './record-reader.js';
import { CaptureFormatError } from '../errors.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OBSOLETE_PACKET_BLOCK = 2;
const SIMPLE_PACKET_BLOCK = 3;
const ENHANCED_PACKET_BLOCK = 6;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface InterfaceInfo {
  linkType: number;
  snapLen: number;
  /** Timestamp units per second. */
  unitsPerSecond: number;
  offsetSeconds: number;
  pseudoHeader: number;
}

/** PCAPNG: sections of either byte order, several interfaces each with its own link type and resolution. */
export class PcapngReader extends ReaderBase implements RecordReader {
  readonly format = 'pcapng' as const;
  private littleEndian = true;
  private interfaces: InterfaceInfo[] = [];

  constructor(feed: ChunkFeed, name: string) {
    super(feed, name);
    if (!this.window.ensure(12)) throw new CaptureFormatError(`${name}: PCAPNG section header cut short`);
    const magic = u32le(this.window.buf, this.window.start + 8);
    if (magic !== BYTE_ORDER_MAGIC && magic !== 0x4d3c2b1a) {
      throw new CaptureFormatError(`${name}: PCAPNG section header has no valid byte-order magic`);
    }
  }

  next(): boolean {
    const w = this.window;
    while (!this.done) {
      w.start += this.pendingSkip;
      this.pendingSkip = 0;
      if (!w.ensure(12)) {
        if (w.end > w.start) this.stop(`file ends inside a block header at byte ${w.position}`);
        this.done = true;
        return false;
      }
      const at = w.start;
      const type = u32le(w.buf, at);
      if (type === PCAPNG_SHB) {
        const bom = u32le(w.buf, at + 8);
        if (bom === BYTE_ORDER_MAGIC) this.littleEndian = true;
        else if (bom === 0x4d3c2b1a) this.littleEndian = false;
        else return this.stop(`corrupt section header at byte ${w.position}`);
        this.interfaces = [];
      }
      const total = this.u32(at + 4);
      if (total < 12 || total % 4 !== 0 || total > MAX_RECORD_BYTES) {
        return this.stop(`corrupt block at byte ${w.position}: length ${total}`);
      }
      if (!w.ensure(total))
        return this.stop(`file ends inside the block at byte ${w.position} (${total} bytes announced)`);
      if (this.u32(w.start + total - 4) !== total) {
        return this.stop(`corrupt block at byte ${w.position}: trailing length differs from leading length`);
      }
      this.pendingSkip = total;
      const blockType = this.u32(w.start);
      const body = w.start + 8;
      const bodyEnd = w.start + total - 4;
      if (blockType === ENHANCED_PACKET_BLOCK) {
        if (this.readPacket(body, bodyEnd, this.u32(body), body + 4, body + 12, 20)) return true;
        if (this.done) return false;
      } else if (blockType === OBSOLETE_PACKET_BLOCK) {
        if (this.readPacket(body, bodyEnd, this.u16(body), body + 4, body + 12, 20)) return true;
        if (this.done) return false;
      } else if (blockType === SIMPLE_PACKET_BLOCK) {
        if (this.readSimplePacket(body, bodyEnd)) return true;
        if (this.done) return false;
      } else if (blockType === IDB) {
        if (!this.readInterface(body, bodyEnd)) return false;
      }
    }
    return false;
  }

  /** EPB/OPB layout: interface, timestamp high/low at tsAt, captured and original length at lenAt. */
  private readPacket(
    body: number,
    bodyEnd: number,
    ifId: number,
    tsAt: number,
    lenAt: number,
    headerBytes: number,
  ): boolean {
    if (bodyEnd - body < headerBytes)
      return this.stop(`corrupt packet block at byte ${this.window.position}: too short`);
    const iface = this.interfaces[ifId];
    if (iface === undefined)
      return this.stop(`packet block at byte ${this.window.position} names unknown interface ${ifId}`);
    const caplen = this.u32(lenAt);
    const origLen = this.u32(lenAt + 4);
    const data = body + headerBytes;
    if (data + caplen > bodyEnd) {
      return this.stop(
        `corrupt packet block at byte ${this.window.position}: captured length ${caplen} exceeds the block`,
      );
    }
    const units = this.u32(tsAt) * 4294967296 + this.u32(tsAt + 4);
    this.setInterfaceRecord(iface, data, caplen, origLen, units / iface.unitsPerSecond + iface.offsetSeconds);
    return true;
  }

  private readSimplePacket(body: number, bodyEnd: number): boolean {
    const iface = this.interfaces[0];
    if (iface === undefined)
      return this.stop(`simple packet block at byte ${this.window.position} before any interface`);
    if (bodyEnd - body < 4) return this.stop(`corrupt simple packet block at byte ${this.window.position}`);
    const origLen = this.u32(body);
    let caplen = Math.min(origLen, bodyEnd - body - 4);
    if (iface.snapLen > 0) caplen = Math.min(caplen, iface.snapLen);
    this.setInterfaceRecord(iface, body + 4, caplen, origLen, 0);
    return true;
  }

  private setInterfaceRecord(
    iface: InterfaceInfo,
    data: number,
    caplen: number,
    origLen: number,
    timestamp: number,
  ): void {
    this.setRecord(data, caplen, origLen, timestamp, iface.pseudoHeader);
    this.linkType = iface.linkType;
  }

  private readInterface(body: number, bodyEnd: number): boolean {
    if (bodyEnd - body < 8) {
      this.stop(`corrupt interface block at byte ${this.window.position}`);
      return false;
    }
    const linkType = this.u16(body);
    const iface: InterfaceInfo = {
      linkType,
      snapLen: this.u32(body + 4),
      unitsPerSecond: 1e6,
      offsetSeconds: 0,
      pseudoHeader: pseudoHeaderBytes(linkType),
    };
    let opt = body + 8;
    while (opt + 4 <= bodyEnd) {
      const code = this.u16(opt);
      const len = this.u16(opt + 2);
      const value = opt + 4;
      if (code === 0 || value + len > bodyEnd) break;
      if (code === OPT_IF_TSRESOL && len >= 1) {
        const r = this.window.buf[value];
        const exp = r & 0x7f;
        iface.unitsPerSecond = r & 0x80 ? 2 ** exp : 10 ** exp;
      } else if (code === OPT_IF_TSOFFSET && len >= 8) {
        iface.offsetSeconds =
          this.u32(this.littleEndian ? value + 4 : value) * 4294967296 +
          this.u32(this.littleEndian ? value : value + 4);
      }
      opt = value + ((len + 3) & ~3);
    }
    this.interfaces.push(iface);
    this.linkTypes.add(iface.linkType);
    return true;
  }

  private u32(at: number): number {
    return this.littleEndian ? u32le(this.window.buf, at) : u32be(this.window.buf, at);
  }

  private u16(at: number): number {
    return this.littleEndian ? u16le(this.window.buf, at) : u16be(this.window.buf, at);
  }
}
