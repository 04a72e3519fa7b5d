import type { ByteSource } from './byte-source.js';

const DEFAULT_CHUNK = 1024 * 1024;
/** Largest single record accepted; anything bigger is a corrupt length field, not a packet. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * A sliding window over a byte source: records are parsed in place from `buf[start..end)`, and the
 * window refills in large chunks, moving the unread tail to the front. Memory is one chunk, whatever
 * the file's length.
 */
export class ChunkWindow {
  buf: Buffer;
  start = 0;
  end = 0;
  eof = false;
  /** Source offset of buf[0]. */
  base = 0;

  constructor(
    private readonly source: ByteSource,
    chunkBytes = DEFAULT_CHUNK,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  /** The source's total size, when known. */
  get size(): number | null {
    return this.source.size;
  }

  /** Source offset of `start`. */
  get position(): number {
    return this.base + this.start;
  }

  /** Makes at least `n` bytes available from `start`; false if the source ends first. */
  ensure(n: number): boolean {
    if (this.end - this.start >= n) return true;
    if (n > this.buf.length) this.enlarge(n);
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    while (this.end < n && !this.eof) {
      const got = this.source.read(this.buf, this.end, this.buf.length - this.end);
      if (got === 0) this.eof = true;
      else this.end += got;
    }
    return this.end - this.start >= n;
  }

  close(): void {
    this.source.close();
  }

  /** True when no byte is left. */
  atEnd(): boolean {
    return !this.ensure(1);
  }

  private enlarge(n: number): void {
    let size = this.buf.length;
    while (size < n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.end);
    this.base += this.start;
    this.end -= this.start;
    this.start = 0;
    this.buf = next;
  }
}
