import { Worker } from 'node:worker_threads';
import { CaptureFormatError } from '../errors.js';
import { CHUNK_BYTES, HEADROOM, type Chunk, type ChunkFeed } from './chunk-feed.js';

const SLOTS = 4;
const FREE = 0;
const STOP = SLOTS * 2;
const CONTROL_BYTES = 64;

/**
 * Reads a file on a worker thread into a ring of shared slots while the caller decodes, so the
 * kernel's copy of the file (a third of `analyze`'s time when done inline) runs on the second core.
 * The caller blocks (Atomics.wait) only when it has caught up with the reader.
 * Control words: state per slot (0 free, 1 filled), byte count per slot (-1: read error), stop flag.
 */
export class PrefetchFeed implements ChunkFeed {
  readonly size: number;
  private readonly control: Int32Array;
  private readonly slots: Buffer[] = [];
  private readonly worker: Worker;
  private readonly chunk: Chunk;
  private turn = 0;
  private previous = -1;
  private current = -1;
  private closed = false;

  constructor(
    path: string,
    size: number,
    private readonly name: string,
  ) {
    this.size = size;
    const slotBytes = HEADROOM + CHUNK_BYTES;
    const shared = new SharedArrayBuffer(CONTROL_BYTES + SLOTS * slotBytes);
    this.control = new Int32Array(shared, 0, STOP + 1);
    for (let i = 0; i < SLOTS; i++) this.slots.push(Buffer.from(shared, CONTROL_BYTES + i * slotBytes, slotBytes));
    this.worker = new Worker(READER_SOURCE, {
      eval: true,
      workerData: { path, shared, slots: SLOTS, headroom: HEADROOM, chunk: CHUNK_BYTES, controlBytes: CONTROL_BYTES },
    });
    this.worker.unref();
    this.chunk = { buf: this.slots[0], start: HEADROOM, end: HEADROOM };
  }

  next(): Chunk | null {
    if (this.closed) return null;
    const slot = this.turn;
    Atomics.wait(this.control, slot, FREE);
    const length = Atomics.load(this.control, SLOTS + slot);
    // The window copies its unfinished record out of the current chunk into this one after we
    // return, so only the chunk before the current one can go back to the reader.
    if (this.previous >= 0) this.release(this.previous);
    this.previous = this.current;
    this.current = slot;
    this.turn = (slot + 1) % SLOTS;
    if (length < 0) throw new CaptureFormatError(`read error in ${this.name}`);
    if (length === 0) return null;
    this.chunk.buf = this.slots[slot];
    this.chunk.end = HEADROOM + length;
    return this.chunk;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, STOP, 1);
    for (let i = 0; i < SLOTS; i++) this.release(i);
    void this.worker.terminate();
  }

  private release(slot: number): void {
    Atomics.store(this.control, slot, FREE);
    Atomics.notify(this.control, slot);
  }
}

/** The reader thread, plain CommonJS so that it runs the same from sources, tests and the bundle. */
const READER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { path, shared, slots, headroom, chunk, controlBytes } = workerData;
const control = new Int32Array(shared, 0, slots * 2 + 1);
const STOP = slots * 2;
let fd = -1;
try { fd = openSync(path, 'r'); } catch { fd = -1; }
let position = 0;
for (let k = 0; ; k = (k + 1) % slots) {
  while (Atomics.load(control, k) !== 0 && Atomics.load(control, STOP) === 0) Atomics.wait(control, k, 1, 1000);
  if (Atomics.load(control, STOP) === 1) break;
  const view = new Uint8Array(shared, controlBytes + k * (headroom + chunk) + headroom, chunk);
  let filled = 0;
  try {
    if (fd < 0) throw new Error('open failed');
    while (filled < chunk) {
      const got = readSync(fd, view, filled, chunk - filled, position + filled);
      if (got === 0) break;
      filled += got;
    }
  } catch { filled = -1; }
  if (filled > 0) position += filled;
  Atomics.store(control, slots + k, filled);
  Atomics.store(control, k, 1);
  Atomics.notify(control, k);
  if (filled <= 0) break;
}
if (fd >= 0) closeSync(fd);
`;
