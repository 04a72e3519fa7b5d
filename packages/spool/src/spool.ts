import { rm } from 'node:fs/promises';
import { writeCursor } from './cursor-file.js';
import { allocRecord, decodeRecord, encodedIdBytes, sealRecord } from './record.js';
import { recoverState, type IndexEntry } from './recover.js';
import { appendToSegment, readRange } from './segment-io.js';
import { newSegment, type Segment } from './segment-files.js';

export interface SpoolOptions {
  /** Bound on the bytes of segment files on disk; beyond it the oldest segments are deleted. */
  maxBytes: number;
  /** Bound on unacknowledged records; beyond it the oldest records are dropped. Default: none. */
  maxRecords?: number;
  /**
   * Size at which a new segment file is started. Default 512 KiB, and never more than an eighth of
   * `maxBytes`, so that enforcing the byte bound (which deletes whole segments) drops at most an eighth
   * of what is held. Acknowledged records leave the disk a segment at a time, so this is also about
   * the most disk an acknowledged backlog keeps using. A record larger than this gets a segment of its own.
   */
  segmentBytes?: number;
}

export interface SpoolEntry {
  /** Per-record sequence number, increasing by one per append and never reused in a directory. */
  seq: number;
  /** The id given to `append` (the NATS message id), '' when none was given. */
  id: string;
  data: Uint8Array;
  /** When `append` was called, ms since the epoch. */
  appendedAt: number;
}

export interface PeekOptions {
  /** Stop adding records once this many bytes (records as stored) are gathered; at least one is returned. Default 8 MiB. */
  maxBytes?: number;
}

export interface SpoolStats {
  /** Unacknowledged records. */
  records: number;
  /** Bytes of segment files on disk (what `maxBytes` bounds). */
  bytes: number;
  segments: number;
  /** Records dropped, oldest first, to honour `maxBytes` or `maxRecords`. */
  droppedOldest: number;
  /** Records refused because one alone is larger than `maxBytes`. */
  droppedOversize: number;
  /** Records that could not be written (disk full, directory unwritable, spool closed). */
  droppedWriteErrors: number;
  /** Of `droppedWriteErrors`, those refused because the disk was full (ENOSPC, EDQUOT). */
  droppedDiskFull: number;
  /** The last write error, e.g. `ENOSPC`, while appends keep failing; absent once one succeeds again. */
  writeError?: string;
  /** Records found damaged or unreadable (torn by a crash, flipped bytes, file removed) and skipped. */
  corruptSkipped: number;
  /** Failed writes of the cursor file: acknowledgements that would not survive a restart (a resend follows). */
  cursorWriteErrors: number;
  /** Age of the oldest unacknowledged record. */
  oldestAgeMs?: number;
}

export const DEFAULT_SEGMENT_BYTES = 512 * 1024;
const DEFAULT_PEEK_BYTES = 8 * 1024 * 1024;

interface Limits {
  maxBytes: number;
  maxRecords: number;
  segmentBytes: number;
}

/**
 * A bounded, crash-safe FIFO of records on disk: append-only segment files `seg-<first seq>.log` and a
 * `cursor` file naming the first unacknowledged record. Operations run one at a time, in call order.
 * See `record.ts` for the record format and `recover.ts` for what happens on open after a crash.
 *
 * One process per directory: two spools on the same directory would corrupt each other.
 */
export class Spool {
  private readonly entries: IndexEntry[];
  /** `entries[head]` is the oldest unacknowledged record; the ones before it await compaction. */
  private head = 0;
  private totalBytes: number;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private cursorWritten: number;
  private cursorWriting: Promise<void> | undefined;
  private writeError: string | undefined;
  private readonly counts = {
    droppedOldest: 0,
    droppedOversize: 0,
    droppedWriteErrors: 0,
    droppedDiskFull: 0,
    corruptSkipped: 0,
    cursorWriteErrors: 0,
  };

  private constructor(
    private readonly dir: string,
    private readonly limits: Limits,
    private readonly segments: Segment[],
    entries: IndexEntry[],
    private nextSeq: number,
    storedCursor: number | undefined,
    corruptSkipped: number,
  ) {
    this.entries = entries;
    this.totalBytes = segments.reduce((sum, segment) => sum + segment.size, 0);
    this.cursorWritten = storedCursor ?? -1;
    this.counts.corruptSkipped = corruptSkipped;
  }

  /**
   * Opens (creating if needed) the spool in `dir` and rebuilds its state from the files there.
   * @throws RangeError for invalid options; the file system's error if the directory cannot be read.
   */
  static async open(dir: string, options: SpoolOptions): Promise<Spool> {
    const limits = resolveLimits(options);
    const state = await recoverState(dir);
    const spool = new Spool(
      dir,
      limits,
      state.segments,
      state.entries,
      state.nextSeq,
      state.storedCursor,
      state.corruptSkipped,
    );
    await spool.exclusive(() => spool.makeRoom(0));
    await spool.persistCursor();
    return spool;
  }

  /**
   * Adds a record at the end. `data` is copied before this returns. Resolves to `true` once written,
   * `false` when the record was dropped (counted in `stats()`); never rejects.
   * @throws RangeError (synchronously) if `meta.id` is longer than 1024 UTF-8 bytes: a programming error.
   */
  append(data: Uint8Array, meta?: { id?: string }): Promise<boolean> {
    const appendedAt = Date.now();
    const record = allocRecord(encodedIdBytes(meta?.id ?? ''), data);
    return this.exclusive(() => this.write(record, appendedAt)).catch((error: unknown) => {
      this.countWriteError(error);
      return false;
    });
  }

  /** Up to `maxRecords` of the oldest unacknowledged records, oldest first, without removing them. */
  peek(maxRecords: number, options: PeekOptions = {}): Promise<SpoolEntry[]> {
    return this.exclusive(() => this.read(maxRecords, options.maxBytes ?? DEFAULT_PEEK_BYTES));
  }

  /**
   * Acknowledges `upTo` and every older record: they are removed, whole segments are deleted once
   * consumed, and the cursor file is updated. Resolves once the cursor is written (or its write failed,
   * counted in `cursorWriteErrors`). Acknowledging a record already dropped is harmless.
   */
  ack(upTo: Pick<SpoolEntry, 'seq'>): Promise<void> {
    const done = this.exclusive(async () => {
      while (this.head < this.entries.length && this.entries[this.head].seq <= upTo.seq) this.head++;
      await this.afterRemoval();
    });
    return done.then(() => this.persistCursor()).then(() => this.exclusive(() => this.deleteAckedTail()));
  }

  /** Records waiting (what `stats().records` says, without building the stats object). */
  get records(): number {
    return this.entries.length - this.head;
  }

  stats(): SpoolStats {
    const oldest = this.entries[this.head];
    return {
      records: this.entries.length - this.head,
      bytes: this.totalBytes,
      segments: this.segments.length,
      ...this.counts,
      ...(this.writeError === undefined ? {} : { writeError: this.writeError }),
      ...(oldest ? { oldestAgeMs: Math.max(0, Date.now() - oldest.appendedAt) } : {}),
    };
  }

  /** Waits for pending operations and the cursor write. Later appends are dropped; peeks return nothing. */
  async close(): Promise<void> {
    await this.exclusive(() => {
      this.closed = true;
    });
    await this.persistCursor();
  }

  /** Sequence number of the first unacknowledged record (the next one to be appended if there is none). */
  private get cursor(): number {
    return this.entries[this.head]?.seq ?? this.nextSeq;
  }

  private exclusive<T>(operation: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(record: Buffer, appendedAt: number): Promise<boolean> {
    if (this.closed) {
      this.counts.droppedWriteErrors++;
      return false;
    }
    if (record.length > this.limits.maxBytes) {
      this.counts.droppedOversize++;
      return false;
    }
    if (!(await this.makeRoom(record.length))) {
      this.countWriteError(new Error('an old segment could not be deleted to make room'));
      return false;
    }
    const seq = this.nextSeq;
    sealRecord(record, seq, appendedAt);
    // A second try goes to a fresh segment when the current one was removed or replaced underneath.
    let failure: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      const segment = this.segmentFor(record.length);
      let outcome: Awaited<ReturnType<typeof appendToSegment>>;
      try {
        outcome = await appendToSegment(this.dir, segment, record);
      } catch (error) {
        failure = error;
        break;
      }
      if (outcome === 'moved') {
        segment.sealed = true;
        continue;
      }
      if (this.segments.at(-1) !== segment) this.segments.push(segment);
      this.entries.push({ seq, appendedAt, offset: segment.size, length: record.length, segment });
      segment.size += record.length;
      this.totalBytes += record.length;
      this.nextSeq = seq + 1;
      this.writeError = undefined;
      await this.deleteConsumedSegments();
      return true;
    }
    this.countWriteError(failure);
    return false;
  }

  private countWriteError(error: unknown): void {
    this.counts.droppedWriteErrors++;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOSPC' || code === 'EDQUOT') this.counts.droppedDiskFull++;
    this.writeError = code ?? (error instanceof Error ? error.message : 'write failed');
  }

  private segmentFor(recordBytes: number): Segment {
    const last = this.segments.at(-1);
    if (last && !last.sealed && (last.size === 0 || last.size + recordBytes <= this.limits.segmentBytes)) return last;
    return newSegment(this.dir, this.nextSeq);
  }

  /**
   * Drops the oldest records until one more of `recordBytes` fits both bounds.
   * @returns false if a segment that had to go could not be deleted.
   */
  private async makeRoom(recordBytes: number): Promise<boolean> {
    const incoming = recordBytes > 0 ? 1 : 0;
    while (this.entries.length - this.head + incoming > this.limits.maxRecords) {
      this.head++;
      this.counts.droppedOldest++;
    }
    let ok = true;
    while (this.segments.length > 0 && this.totalBytes + recordBytes > this.limits.maxBytes) {
      const oldest = this.segments[0];
      if (!(await removeFile(oldest.path))) {
        ok = false;
        break;
      }
      while (this.head < this.entries.length && this.entries[this.head].segment === oldest) {
        this.head++;
        this.counts.droppedOldest++;
      }
      this.segments.shift();
      this.totalBytes -= oldest.size;
    }
    await this.afterRemoval();
    return ok;
  }

  private async read(maxRecords: number, maxBytes: number): Promise<SpoolEntry[]> {
    const out: SpoolEntry[] = [];
    if (this.closed) return out;
    let budget = maxBytes;
    let i = this.head;
    let damaged = false;
    while (out.length < maxRecords && i < this.entries.length) {
      // One read per run of records in the same segment.
      const first = this.entries[i];
      let end = i;
      let bytes = 0; // the span read: records skipped as damaged at open may lie between indexed ones
      while (
        end < this.entries.length &&
        this.entries[end].segment === first.segment &&
        out.length + (end - i) < maxRecords
      ) {
        const span = this.entries[end].offset + this.entries[end].length - first.offset;
        if (span > budget && !(out.length === 0 && end === i)) break;
        bytes = span;
        end++;
      }
      if (end === i) break;
      budget -= bytes;
      const buffer = await readRange(first.segment.path, first.offset, bytes);
      const bad: number[] = [];
      for (let k = i; k < end; k++) {
        const entry = this.entries[k];
        const start = entry.offset - first.offset;
        const record = buffer && decodeRecord(buffer, start, start + entry.length);
        if (record && record.seq === entry.seq) {
          const data = new Uint8Array(record.payload.buffer, record.payload.byteOffset, record.payload.byteLength);
          out.push({ seq: record.seq, id: record.id, data, appendedAt: record.appendedAt });
        } else bad.push(k);
      }
      for (const k of bad.reverse()) this.entries.splice(k, 1);
      this.counts.corruptSkipped += bad.length;
      damaged ||= bad.length > 0;
      i = end - bad.length;
    }
    if (damaged) await this.afterRemoval();
    return out;
  }

  /** After records left the index: delete consumed segments, compact, and start the cursor write. */
  private async afterRemoval(): Promise<void> {
    await this.deleteConsumedSegments();
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    void this.persistCursor();
  }

  /** Deletes every segment but the last whose records are all below the cursor. */
  private async deleteConsumedSegments(): Promise<void> {
    while (this.segments.length > 1 && this.segments[1].firstSeq <= this.cursor) {
      const consumed = this.segments[0];
      if (!(await removeFile(consumed.path))) return;
      this.segments.shift();
      this.totalBytes -= consumed.size;
    }
  }

  /**
   * Deletes the last segment once every record in it is acknowledged and the cursor file says so, so
   * a spool that keeps up holds no acknowledged data on disk; the next append starts a new segment.
   * Only after the cursor is written: with no segment left, the cursor file alone keeps the
   * sequence numbers from being reused after a restart.
   */
  private async deleteAckedTail(): Promise<void> {
    const last = this.segments.at(-1);
    if (this.closed || !last || this.head < this.entries.length || this.cursorWritten !== this.nextSeq) return;
    await this.deleteConsumedSegments();
    if (this.segments.length !== 1 || !(await removeFile(last.path))) return;
    this.segments.pop();
    this.totalBytes -= last.size;
    this.entries.length = 0;
    this.head = 0;
  }

  /**
   * Brings the cursor file up to date. Calls chain, and each link writes only if the cursor moved since
   * the last write, so a burst of acks costs a few writes, not one each.
   */
  private persistCursor(): Promise<void> {
    const previous = this.cursorWriting ?? Promise.resolve();
    const next = previous.then(async () => {
      const target = this.cursor;
      if (target === this.cursorWritten) return;
      try {
        await writeCursor(this.dir, target);
        this.cursorWritten = target;
      } catch {
        this.counts.cursorWriteErrors++;
      }
    });
    this.cursorWriting = next;
    void next.then(() => {
      if (this.cursorWriting === next) this.cursorWriting = undefined;
    });
    return next;
  }
}

async function removeFile(path: string): Promise<boolean> {
  try {
    await rm(path, { force: true });
    return true;
  } catch {
    return false;
  }
}

function resolveLimits(options: SpoolOptions): Limits {
  const positive = (name: string, value: number) => {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new RangeError(`spool: ${name} must be a positive integer, got ${value}`);
    return value;
  };
  const maxBytes = positive('maxBytes', options.maxBytes);
  const maxRecords =
    options.maxRecords === undefined ? Number.POSITIVE_INFINITY : positive('maxRecords', options.maxRecords);
  const segmentBytes = positive('segmentBytes', options.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
  return { maxBytes, maxRecords, segmentBytes: Math.min(segmentBytes, Math.max(1, Math.floor(maxBytes / 8))) };
}
