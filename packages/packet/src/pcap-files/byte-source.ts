import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CaptureFormatError } from '../errors.js';

/** Where a capture's bytes come from: a file read in large chunks, or memory (tests, live buffers). */
export interface ByteSource {
  /** Copies up to `length` bytes into `target` at `offset`; returns 0 at the end. */
  read(target: Buffer, offset: number, length: number): number;
  /** Total size when known, for progress reporting. */
  readonly size: number | null;
  close(): void;
}

export class FileSource implements ByteSource {
  readonly size: number;
  private readonly fd: number;
  private closed = false;

  constructor(path: string) {
    try {
      this.fd = openSync(path, 'r');
      const stat = fstatSync(this.fd);
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      this.size = stat.size;
    } catch (error) {
      throw new CaptureFormatError(`cannot open ${path}: ${describeFsError(error)}`);
    }
  }

  read(target: Buffer, offset: number, length: number): number {
    return readSync(this.fd, target, offset, length, null);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

export class MemorySource implements ByteSource {
  readonly size: number;
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }

  read(target: Buffer, offset: number, length: number): number {
    const n = Math.min(length, this.bytes.length - this.position);
    target.set(this.bytes.subarray(this.position, this.position + n), offset);
    this.position += n;
    return n;
  }

  close(): void {}
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code ?? String((error as Error)?.message ?? error).split('\n')[0];
  }
}
