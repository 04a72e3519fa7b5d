import { mkdirSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CaptureError, firstLine } from './errors.js';
import { existingPcapFiles, pcapFileName } from './pcap-file-names.js';
import { PcapFile } from './pcap-file.js';
import { MAX_SNAPLEN } from './live-capture.js';
import type { CaptureRecord } from './packet-source.js';

export interface PcapRotatorOptions {
  /** Directory of the files; created if missing. */
  dir: string;
  /** File name prefix. Default 'wirewatch'. */
  prefix?: string;
  /** A file is closed before the next record would take it past this many MiB. */
  rotateMb: number;
  /** Files kept (this run's and earlier runs' with the same prefix); the oldest beyond are deleted. */
  keep: number;
  /** Snapshot length written in each file header. Default 262,144. */
  snaplen?: number;
  /** How often buffered records are flushed to the file, in ms. Default 1000. */
  flushIntervalMs?: number;
  /** After a write error, records are dropped (and counted) for this long before a new file is tried, in ms. Default 1000. */
  retryAfterMs?: number;
  /** Told of the first error of each run of failures (a flush that succeeds ends the run). */
  onError?: (error: Error) => void;
}

export interface PcapRotatorStats {
  /** Records in files (flushed, or buffered for the current file). */
  written: number;
  /** Records lost to write errors: never written, or buffered when a flush failed. */
  dropped: number;
  /** Failed opens, writes, flushes, closes and deletions. */
  writeErrors: number;
  filesCreated: number;
  filesDeleted: number;
  /** Of `filesDeleted`: the oldest files deleted to make room after the disk was full. */
  filesDeletedForSpace: number;
  /** Set from a failure until a flush succeeds again: the last error, e.g. `no space left on the device`. */
  failing: string | null;
  /** The file being written, if any. */
  currentFile: string | null;
}

/**
 * Writes the frames it is given to rotating PCAP files, `<prefix>-<UTC time>-<seq>.pcap` (the time
 * of the file's first record). A new file starts when the next record would take the current one
 * past `rotateMb` MiB, or when the link type changes (one link type per file); then the oldest files
 * beyond `keep` are deleted, counting those an earlier run left. A write error (disk full, directory
 * gone) never throws: the records it costs are counted, the file is cut back to its last good size,
 * and a new file is tried `retryAfterMs` later. When the disk is full (`ENOSPC`, `EDQUOT`), the
 * oldest file of the ring (never the newest one kept) is deleted as well, so that the ring shrinks to
 * what the disk holds and keeps the newest frames instead of stopping for good.
 */
export class PcapRotator {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly rotateBytes: number;
  private readonly keep: number;
  private readonly snaplen: number;
  private readonly retryAfterMs: number;
  private readonly onError: (error: Error) => void;
  private readonly timer: NodeJS.Timeout;
  /** Kept files, oldest first; the current file is the last. */
  private readonly files: string[];
  private nextSeq: number;
  private file: PcapFile | null = null;
  private retryAt = 0;
  private failing = false;
  private closed = false;
  private written = 0;
  private dropped = 0;
  private writeErrors = 0;
  private filesCreated = 0;
  private filesDeleted = 0;
  private filesDeletedForSpace = 0;
  private lastError: string | null = null;

  constructor(options: PcapRotatorOptions) {
    this.dir = resolve(options.dir);
    this.prefix = options.prefix ?? 'wirewatch';
    if (!(options.rotateMb > 0))
      throw new CaptureError(`PCAP rotation size must be a positive number of MiB, not ${options.rotateMb}`);
    if (!(Number.isInteger(options.keep) && options.keep >= 1))
      throw new CaptureError(`PCAP files to keep must be a positive integer, not ${options.keep}`);
    if (/[/\0]/.test(this.prefix)) throw new CaptureError(`PCAP file prefix must not contain '/': ${this.prefix}`);
    this.rotateBytes = options.rotateMb * 1024 * 1024;
    this.keep = options.keep;
    this.snaplen = options.snaplen ?? MAX_SNAPLEN;
    this.retryAfterMs = options.retryAfterMs ?? 1000;
    this.onError = options.onError ?? (() => {});
    try {
      mkdirSync(this.dir, { recursive: true });
      const earlier = existingPcapFiles(this.dir, this.prefix);
      this.files = earlier.map((f) => f.path);
      this.nextSeq = (earlier.at(-1)?.seq ?? 0) + 1;
    } catch (error) {
      throw new CaptureError(`cannot write PCAP files in ${this.dir}: ${describeFsError(error)}`);
    }
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  write(record: CaptureRecord): void {
    if (this.closed || (this.retryAt !== 0 && Date.now() < this.retryAt)) {
      this.dropped++;
      return;
    }
    this.retryAt = 0;
    let taken = false;
    try {
      const file = this.fileFor(record);
      file.append(record);
      taken = true;
      this.written++;
      if (file.flushDue) {
        file.flush();
        this.recovered();
      }
    } catch (error) {
      if (!taken) this.dropped++; // a record taken is counted by fail() with the file's other unflushed ones
      this.fail(error);
    }
  }

  /** Hands buffered records to the kernel (also done every flushIntervalMs). */
  flush(): void {
    const file = this.file;
    if (file === null || file.pendingRecords === 0) return;
    try {
      file.flush();
      this.recovered();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Flushes and closes the current file; later writes are dropped and counted. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    try {
      this.closeCurrent();
    } catch (error) {
      this.fail(error);
    }
  }

  stats(): PcapRotatorStats {
    return {
      written: this.written,
      dropped: this.dropped,
      writeErrors: this.writeErrors,
      filesCreated: this.filesCreated,
      filesDeleted: this.filesDeleted,
      filesDeletedForSpace: this.filesDeletedForSpace,
      failing: this.lastError,
      currentFile: this.file?.path ?? null,
    };
  }

  /** The file this record goes to: the current one, or a new one. */
  private fileFor(record: CaptureRecord): PcapFile {
    const current = this.file;
    if (
      current !== null &&
      current.linkType === record.linkType &&
      (current.records === 0 || current.sizeWith(record.caplen) <= this.rotateBytes)
    ) {
      return current;
    }
    this.closeCurrent();
    const path = join(this.dir, pcapFileName(this.prefix, record.timestamp, this.nextSeq++));
    const file = new PcapFile(path, record.linkType, this.snaplen);
    this.file = file;
    this.filesCreated++;
    this.files.push(path);
    this.deleteBeyondKeep();
    return file;
  }

  /** Flushes and closes the current file; throws if that fails (the file stays current for fail()). */
  private closeCurrent(): void {
    const file = this.file;
    if (file === null) return;
    const hadPending = file.pendingRecords > 0;
    file.close();
    this.file = null;
    if (hadPending) this.recovered();
  }

  private recovered(): void {
    this.failing = false;
    this.lastError = null;
  }

  private deleteBeyondKeep(): void {
    while (this.files.length > this.keep) this.deleteOldest();
  }

  /** Deletes the oldest kept file; returns whether it was deleted. */
  private deleteOldest(): boolean {
    const oldest = this.files.shift()!;
    try {
      unlinkSync(oldest);
      this.filesDeleted++;
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.report(new Error(`cannot delete ${oldest}: ${describeFsError(error)}`));
      return false;
    }
  }

  /** A write, flush or close failed: the current file's unflushed records are lost; it is cut back and set aside. */
  private fail(error: unknown): void {
    const file = this.file;
    if (file !== null) {
      this.file = null;
      this.dropped += file.pendingRecords;
      this.written -= file.pendingRecords;
      const path = file.path;
      if (!file.abandon()) this.files.splice(this.files.indexOf(path), 1);
    }
    const code = (error as NodeJS.ErrnoException)?.code;
    // Room for the retry: the oldest file goes, never the newest kept (the one just cut back, if it holds anything).
    if ((code === 'ENOSPC' || code === 'EDQUOT') && this.files.length > 1 && this.deleteOldest())
      this.filesDeletedForSpace++;
    this.retryAt = Date.now() + this.retryAfterMs;
    this.lastError = describeFsError(error);
    this.report(new Error(`writing ${file?.path ?? `a PCAP file in ${this.dir}`} failed: ${describeFsError(error)}`));
  }

  private report(error: Error): void {
    this.writeErrors++;
    if (this.failing) return;
    this.failing = true;
    this.onError(error);
  }
}

function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENOENT':
      return 'no such directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    default:
      return e?.code ?? firstLine(error);
  }
}
