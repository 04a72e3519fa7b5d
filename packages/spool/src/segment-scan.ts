import { checkRecord, findNextRecord, type RecordLocation } from './record.js';

export interface SegmentScan {
  /** Valid records in file order, with strictly increasing sequence numbers. */
  records: RecordLocation[];
  /** End of the last valid record (0 when there is none). */
  validEnd: number;
  /** Bytes after the last valid record that are not one: a torn or corrupt tail. */
  tailDamaged: boolean;
}

/**
 * Reads every valid record of one segment. A record that fails its checks is skipped by searching for
 * the next offset where a valid record starts, so one flipped byte costs one record, not the segment.
 * Records must have sequence numbers in [firstSeq, endSeq) and increasing; others are treated as damage.
 */
export function scanSegment(bytes: Uint8Array, firstSeq: number, endSeq = Number.POSITIVE_INFINITY): SegmentScan {
  const records: RecordLocation[] = [];
  let expected = firstSeq;
  let offset = 0;
  let validEnd = 0;
  while (offset < bytes.length) {
    const record = checkRecord(bytes, offset);
    if (record && record.seq >= expected && record.seq < endSeq) {
      records.push(record);
      expected = record.seq + 1;
      offset += record.length;
      validEnd = offset;
      continue;
    }
    const next = findNextRecord(bytes, offset + 1);
    if (next < 0) break;
    offset = next;
  }
  return { records, validEnd, tailDamaged: validEnd < bytes.length };
}

/**
 * How many records between `firstSeq` and `endSeq` the scan did not find, not counting those below
 * `cursor` (already acknowledged). A damaged tail with no known end (the last segment) counts as one.
 */
export function countLostRecords(
  scan: SegmentScan,
  firstSeq: number,
  endSeq: number | undefined,
  cursor: number,
): number {
  let lost = 0;
  let expected = firstSeq;
  const missing = (upTo: number) => Math.max(0, upTo - Math.max(expected, cursor));
  for (const record of scan.records) {
    lost += missing(record.seq);
    expected = record.seq + 1;
  }
  if (endSeq !== undefined) lost += missing(endSeq);
  else if (scan.tailDamaged) lost += 1;
  return lost;
}
