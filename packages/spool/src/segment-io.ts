import { mkdir, open, type FileHandle } from 'node:fs/promises';
import type { Segment } from './segment-files.js';

/**
 * Appends `record` to the segment's file, opened just for this write: opening each time (the sensor
 * appends a few records a second) means a removed directory shows up as an error here instead of
 * writes vanishing into an unlinked file. A removed directory is created again.
 *
 * @returns 'moved' without writing when the file is not the size the spool wrote it to (removed or
 *   replaced underneath), so offsets there can no longer be trusted.
 * @throws the file system's error; a partly written record has been cut off again where possible.
 */
export async function appendToSegment(dir: string, segment: Segment, record: Uint8Array): Promise<'written' | 'moved'> {
  let file: FileHandle;
  try {
    file = await open(segment.path, 'a');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true });
    file = await open(segment.path, 'a');
  }
  try {
    if ((await file.stat()).size !== segment.size) return 'moved';
    try {
      await file.appendFile(record);
    } catch (error) {
      await file.truncate(segment.size).catch(() => undefined);
      throw error;
    }
    return 'written';
  } finally {
    await file.close().catch(() => undefined);
  }
}

/** Reads `length` bytes at `offset`; `undefined` if the file is gone or unreadable, a short buffer if it was cut. */
export async function readRange(path: string, offset: number, length: number): Promise<Buffer | undefined> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await file.read(buffer, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch {
    return undefined;
  } finally {
    await file?.close().catch(() => undefined);
  }
}
