import { PcapWriter } from '@wirewatch/packet';
import { closeSync, fstatSync, readdirSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import type { CaptureRecord } from './packet-source.js';

/**
 * Bytes buffered before a flush is due. PcapWriter flushes by itself when its 1 MiB buffer would
 * overflow; flushing at this mark, and before any record larger than it, keeps that from happening
 * while records are pending, so we always know which records reached the file.
 */
const FLUSH_BYTES = 256 * 1024;
const RECORD_HEADER_BYTES = 16;

/**
 * One PCAP file being written through PcapWriter, with what a write error needs: how many bytes
 * are known to be in the file (handed to the kernel by a flush that succeeded) and how many records
 * are not yet.
 */
export class PcapFile {
  records = 0;
  /** Records written since the last successful flush: lost if the next flush fails. */
  pendingRecords = 0;
  private readonly writer: PcapWriter;
  private durableBytes = 0;

  /** Creates the file (truncating any old one); throws the system's error. */
  constructor(
    readonly path: string,
    readonly linkType: number,
    snaplen: number,
  ) {
    this.writer = new PcapWriter(path, linkType, snaplen);
  }

  /** The file's size once everything written is flushed, header included. */
  get size(): number {
    return this.writer.bytesWritten;
  }

  /** The size with one more record of `caplen` bytes. */
  sizeWith(caplen: number): number {
    return this.writer.bytesWritten + RECORD_HEADER_BYTES + caplen;
  }

  /** Buffers one record; throws (with the record not taken) if PcapWriter cannot. */
  append(record: CaptureRecord): void {
    if (this.pendingRecords > 0 && RECORD_HEADER_BYTES + record.caplen > FLUSH_BYTES) this.flush();
    this.writer.write(record.timestamp, record.data, record.offset, record.caplen, record.origLen);
    this.records++;
    this.pendingRecords++;
  }

  /** Whether enough is buffered to flush now. */
  get flushDue(): boolean {
    return this.writer.bytesWritten - this.durableBytes >= FLUSH_BYTES;
  }

  flush(): void {
    this.writer.flush();
    this.durableBytes = this.writer.bytesWritten;
    this.pendingRecords = 0;
  }

  close(): void {
    this.writer.close();
    this.durableBytes = this.writer.bytesWritten;
    this.pendingRecords = 0;
  }

  /**
   * After a write error: closes the file and cuts it back to its last size known good, so that what
   * stays is a valid capture (a failed flush may have written part of its buffer, and a retry would
   * write it again). A file with nothing good in it is deleted. Returns whether the file remains.
   */
  abandon(): boolean {
    try {
      this.writer.close();
    } catch {
      closeDescriptorsOf(this.path); // PcapWriter.close() skips closeSync when its last flush throws
    }
    try {
      if (this.durableBytes === 0) {
        unlinkSync(this.path);
        return false;
      }
      truncateSync(this.path, this.durableBytes);
    } catch {
      // the directory is gone, or the file was never a regular one: nothing more to save
    }
    return this.durableBytes > 0;
  }
}

/** Closes this process's descriptors open on the file at `path` (same device and inode; Linux: /proc/self/fd). */
function closeDescriptorsOf(path: string): void {
  let target: { dev: number; ino: number };
  let entries: string[];
  try {
    target = statSync(path);
    entries = readdirSync('/proc/self/fd');
  } catch {
    return;
  }
  for (const entry of entries) {
    const fd = Number(entry);
    try {
      const st = fstatSync(fd);
      if (st.dev === target.dev && st.ino === target.ino) closeSync(fd);
    } catch {
      // closed meanwhile
    }
  }
}
