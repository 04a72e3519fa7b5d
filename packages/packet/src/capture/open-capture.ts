import { basename } from 'node:path';
import { FileSource, type ByteSource } from './byte-source.js';
import { isPcapMagic, PcapReader } from './pcap-reader.js';
import { PCAPNG_SHB, PcapngReader } from './pcapng-reader.js';
import type { RecordReader } from './record-reader.js';
import { CaptureFormatError } from '../errors.js';

/** Opens a PCAP or PCAPNG byte source, telling the format by its magic number. */
export function openCaptureSource(source: ByteSource, name: string): RecordReader {
  const head = Buffer.alloc(4);
  let got = 0;
  try {
    got = source.read(head, 0, 4);
  } catch (error) {
    source.close();
    throw new CaptureFormatError(`cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  if (got === 0) {
    source.close();
    throw new CaptureFormatError(`${name} is empty, not a PCAP or PCAPNG file`);
  }
  const magic = head.readUInt32BE(0) >>> 0;
  const prefixed = new PrefixedSource(head.subarray(0, got), source);
  try {
    if (got === 4 && isPcapMagic(magic)) return new PcapReader(prefixed, name);
    if (got === 4 && magic === PCAPNG_SHB) return new PcapngReader(prefixed, name);
  } catch (error) {
    source.close();
    throw error;
  }
  source.close();
  throw new CaptureFormatError(`${name} is not a PCAP or PCAPNG file (starts with 0x${head.subarray(0, got).toString('hex')})`);
}

export function openCaptureFile(path: string): RecordReader {
  const reader = openCaptureSource(new FileSource(path), basename(path));
  return reader;
}

/** Replays bytes already read for format detection, then the rest of the source. */
class PrefixedSource implements ByteSource {
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
