import { basename } from 'node:path';
import { FileSource, type ByteSource } from './byte-source.js';
import { CopyingFeed, type ChunkFeed } from './chunk-feed.js';
import { isPcapMagic, PcapReader } from './pcap-reader.js';
import { PCAPNG_SHB, PcapngReader } from './pcapng-reader.js';
import { PrefetchFeed } from './prefetch-feed.js';
import type { RecordReader } from './record-reader.js';
import { CaptureFormatError } from '../errors.js';

/** Files at least this large are read ahead on a worker thread; for smaller ones a thread costs more than it saves. */
const PREFETCH_MIN_BYTES = 16 * 1024 * 1024;

/** Opens a PCAP or PCAPNG file, telling the format by its magic number. */
export function openCaptureFile(path: string, options: { prefetch?: boolean } = {}): RecordReader {
  const name = basename(path);
  const source = new FileSource(path);
  const head = readHead(source, name);
  if ((options.prefetch ?? true) && source.size >= PREFETCH_MIN_BYTES) {
    source.close();
    return readerFor(head, new PrefetchFeed(path, source.size, name), name);
  }
  return readerFor(head, new CopyingFeed(new Prefixed(head, source)), name);
}

/** Opens PCAP or PCAPNG bytes from any source (memory, a pipe). */
export function openCaptureSource(source: ByteSource, name: string): RecordReader {
  const head = readHead(source, name);
  return readerFor(head, new CopyingFeed(new Prefixed(head, source)), name);
}

function readHead(source: ByteSource, name: string): Buffer {
  const head = Buffer.alloc(4);
  let got = 0;
  try {
    while (got < 4) {
      const n = source.read(head, got, 4 - got);
      if (n === 0) break;
      got += n;
    }
  } catch (error) {
    source.close();
    throw new CaptureFormatError(`cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  if (got === 0) {
    source.close();
    throw new CaptureFormatError(`${name} is empty, not a PCAP or PCAPNG file`);
  }
  return head.subarray(0, got);
}

function readerFor(head: Buffer, feed: ChunkFeed, name: string): RecordReader {
  const magic = head.length === 4 ? head.readUInt32BE(0) : -1;
  try {
    if (isPcapMagic(magic)) return new PcapReader(feed, name);
    if (magic === PCAPNG_SHB) return new PcapngReader(feed, name);
  } catch (error) {
    feed.close();
    throw error;
  }
  feed.close();
  throw new CaptureFormatError(`${name} is not a PCAP or PCAPNG file (starts with 0x${head.toString('hex')})`);
}

/** Replays the bytes already read for format detection, then the rest of the source. */
class Prefixed implements ByteSource {
  private prefix: Buffer | null;

  constructor(
    prefix: Buffer,
    private readonly inner: ByteSource,
  ) {
    this.prefix = Buffer.from(prefix);
  }

  get size(): number | null {
    return this.inner.size;
  }

  read(target: Buffer, offset: number, length: number): number {
    if (this.prefix !== null) {
      const n = Math.min(length, this.prefix.length);
      this.prefix.copy(target, offset, 0, n);
      this.prefix = n === this.prefix.length ? null : this.prefix.subarray(n);
      return n;
    }
    return this.inner.read(target, offset, length);
  }

  close(): void {
    this.inner.close();
  }
}
