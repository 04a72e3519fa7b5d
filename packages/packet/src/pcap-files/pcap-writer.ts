import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_BYTES = 1 << 20;

/** Writes classic PCAP (microsecond timestamps, host-independent little-endian), buffered. */
export class PcapWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(FLUSH_BYTES + 65536 + 16);
  private used = 0;
  /** Bytes written so far, header included. */
  bytesWritten = 0;
  packetsWritten = 0;

  constructor(path: string, linkType: number, snapLen = 262144) {
    this.fd = openSync(path, 'w');
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(snapLen, 16);
    header.writeUInt32LE(linkType, 20);
    this.append(header, 0, 24);
  }

  /** Appends one record; `timestamp` in seconds since the epoch. */
  write(timestamp: number, data: Uint8Array, offset: number, caplen: number, origLen: number): void {
    const seconds = Math.floor(timestamp);
    const micros = Math.min(999999, Math.round((timestamp - seconds) * 1e6));
    if (this.used + 16 + caplen > this.buffer.length) this.flush();
    const b = this.buffer;
    b.writeUInt32LE(seconds >>> 0, this.used);
    b.writeUInt32LE(micros, this.used + 4);
    b.writeUInt32LE(caplen, this.used + 8);
    b.writeUInt32LE(origLen, this.used + 12);
    this.used += 16;
    this.bytesWritten += 16;
    this.append(data, offset, caplen);
    this.packetsWritten++;
  }

  flush(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buffer, done, this.used - done);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private append(data: Uint8Array, offset: number, length: number): void {
    if (length > this.buffer.length - this.used) {
      this.flush();
      let done = 0;
      while (done < length) done += writeSync(this.fd, data, offset + done, length - done);
    } else {
      this.buffer.set(data.subarray(offset, offset + length), this.used);
      this.used += length;
    }
    this.bytesWritten += length;
  }
}
