import { HEADROOM, type ChunkFeed } from './chunk-feed.js';

/** Largest single record accepted; anything bigger is a corrupt length field, not a packet. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * A window over a chunk feed: records are parsed in place from `buf[start..end)`. When a record runs
 * past the end of a chunk, its beginning is copied into the free room before the next chunk, so it
 * is contiguous again; only records larger than that room are gathered into a buffer of their own.
 * Memory stays a few chunks, whatever the file's length.
 */
export class ChunkWindow {
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  eof = false;
  /** Stream offset of buf[0]. */
  private base = 0;
  private large: Buffer = EMPTY;

  constructor(private readonly feed: ChunkFeed) {}

  get size(): number | null {
    return this.feed.size;
  }

  /** Stream offset of `start`. */
  get position(): number {
    return this.base + this.start;
  }

  /** Makes at least `n` contiguous bytes available from `start`; false if the stream ends first. */
  ensure(n: number): boolean {
    while (this.end - this.start < n) {
      if (this.eof) return false;
      this.pull(n);
    }
    return true;
  }

  close(): void {
    this.feed.close();
  }

  private pull(n: number): void {
    const chunk = this.feed.next();
    if (chunk === null) {
      this.eof = true;
      return;
    }
    const tail = this.end - this.start;
    const tailPosition = this.base + this.start;
    if (tail <= HEADROOM && tail <= chunk.start) {
      const start = chunk.start - tail;
      this.buf.copy(chunk.buf, start, this.start, this.end);
      this.buf = chunk.buf;
      this.start = start;
      this.end = chunk.end;
    } else {
      const needed = tail + (chunk.end - chunk.start);
      if (this.large.length < needed) {
        const grown = Buffer.allocUnsafe(Math.max(needed, n, this.large.length * 2));
        this.buf.copy(grown, 0, this.start, this.end);
        this.large = grown;
      } else {
        this.buf.copy(this.large, 0, this.start, this.end);
      }
      chunk.buf.copy(this.large, tail, chunk.start, chunk.end);
      this.buf = this.large;
      this.start = 0;
      this.end = needed;
    }
    this.base = tailPosition - this.start;
  }
}
