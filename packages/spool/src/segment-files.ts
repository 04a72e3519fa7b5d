import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A segment file, named after the sequence number of its first record. */
export interface Segment {
  firstSeq: number;
  path: string;
  /** Bytes on disk that the spool accounts for (its records, plus any damage it could not cut off). */
  size: number;
  /** Set when the file no longer matches what was written to it (removed or replaced): no more appends go there. */
  sealed?: boolean;
}

const SEGMENT_NAME = /^seg-(\d{16})\.log$/;

export function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(16, '0')}.log`;
}

export function newSegment(dir: string, firstSeq: number): Segment {
  return { firstSeq, path: join(dir, segmentName(firstSeq)), size: 0 };
}

/** The directory's segments, oldest first (sizes still 0: the scan fills them in). */
export async function listSegments(dir: string): Promise<Segment[]> {
  const segments: Segment[] = [];
  for (const name of await readdir(dir)) {
    const match = SEGMENT_NAME.exec(name);
    if (match) segments.push(newSegment(dir, Number(match[1])));
  }
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}
