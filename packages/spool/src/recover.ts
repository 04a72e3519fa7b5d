import { mkdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { CURSOR_TMP_FILE, readCursor } from './cursor-file.js';
import type { RecordLocation } from './record.js';
import { listSegments, type Segment } from './segment-files.js';
import { countLostRecords, scanSegment } from './segment-scan.js';

/** An unacknowledged record as the spool indexes it in memory: where to read it, nothing more. */
export interface IndexEntry extends RecordLocation {
  segment: Segment;
}

export interface RecoveredState {
  segments: Segment[];
  entries: IndexEntry[];
  /** The cursor file's value, if it could be read. */
  storedCursor: number | undefined;
  nextSeq: number;
  corruptSkipped: number;
}

/**
 * Rebuilds the spool's state from its directory after a start or a crash: every segment is scanned,
 * records below the stored cursor are already acknowledged, damaged records are counted and skipped,
 * and a damaged tail of the last segment (a record torn by a crash) is cut off so appends go on after
 * the last good record and the damage is not counted again on the next start.
 */
export async function recoverState(dir: string): Promise<RecoveredState> {
  await mkdir(dir, { recursive: true });
  await rm(join(dir, CURSOR_TMP_FILE), { force: true });
  const listed = await listSegments(dir);
  const storedCursor = await readCursor(dir);
  const cursor = Math.max(storedCursor ?? 0, listed[0]?.firstSeq ?? 0);
  const segments: Segment[] = [];
  const entries: IndexEntry[] = [];
  let corruptSkipped = 0;
  let nextSeq = cursor;
  for (let i = 0; i < listed.length; i++) {
    const segment = listed[i];
    const endSeq = listed[i + 1]?.firstSeq;
    if (endSeq !== undefined && endSeq <= cursor) {
      // Fully acknowledged; the crash came between the cursor write and the delete.
      await rm(segment.path, { force: true });
      continue;
    }
    const bytes = await readFile(segment.path);
    const scan = scanSegment(bytes, segment.firstSeq, endSeq);
    corruptSkipped += countLostRecords(scan, segment.firstSeq, endSeq, cursor);
    segment.size = bytes.length;
    if (endSeq === undefined && scan.tailDamaged) {
      try {
        await truncate(segment.path, scan.validEnd);
        segment.size = scan.validEnd;
      } catch {
        // Left in place: later appends follow the damage and the scan skips over it.
      }
    }
    for (const record of scan.records) {
      if (record.seq >= cursor) entries.push({ ...record, segment });
    }
    const last = scan.records.at(-1);
    nextSeq = Math.max(nextSeq, last ? last.seq + 1 : segment.firstSeq);
    segments.push(segment);
  }
  // An empty last segment named below the next sequence number would look like a gap on the next scan.
  const last = segments.at(-1);
  if (last && last.size === 0 && last.firstSeq !== nextSeq) {
    await rm(last.path, { force: true });
    segments.pop();
  }
  return { segments, entries, storedCursor, nextSeq, corruptSkipped };
}
