import type { ByteSource } from './byte-source.js';

/** Room left free before each chunk's data, so a window can prepend the unfinished record of the last chunk. */
export const HEADROOM = 384 * 1024;
export const CHUNK_BYTES = 1024 * 1024;

/** A chunk of the stream: bytes in buf[start..end), with at least HEADROOM free bytes before `start`. */
export interface Chunk {
  buf: Buffer;
  start: number;
  end: number;
}

/**
 * Hands out a byte stream chunk by chunk. The buffer of the chunk returned by one call stays intact
 * until the call after the next, so the reader can carry its unfinished tail over.
 */
export interface ChunkFeed {
  readonly size: number | null;
  /** The next chunk (reused object), or null at the end. */
  next(): Chunk | null;
  close(): void;
}

/** Reads a ByteSource into two alternating buffers, on the calling thread. */
export class CopyingFeed implements ChunkFeed {
  private readonly buffers: [Buffer, Buffer];
  private readonly chunk: Chunk;
  private turn = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.buffers = [Buffer.allocUnsafe(HEADROOM + chunkBytes), Buffer.allocUnsafe(HEADROOM + chunkBytes)];
    this.chunk = { buf: this.buffers[0], start: HEADROOM, end: HEADROOM };
  }

  get size(): number | null {
    return this.source.size;
  }

  next(): Chunk | null {
    const buf = this.buffers[this.turn];
    this.turn ^= 1;
    let filled = 0;
    while (filled < this.chunkBytes) {
      const got = this.source.read(buf, HEADROOM + filled, this.chunkBytes - filled);
      if (got === 0) break;
      filled += got;
    }
    if (filled === 0) return null;
    this.chunk.buf = buf;
    this.chunk.end = HEADROOM + filled;
    return this.chunk;
  }

  close(): void {
    this.source.close();
  }
}
