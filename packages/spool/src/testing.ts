/**
 * The spool's on-disk format, for tests that look inside a spool directory or forge one: the cursor
 * file, single records, and a whole segment's scan. Not part of the index: the sensor only needs Spool.
 */
export { readCursor } from './cursor-file.js';
export { decodeRecord, encodeRecord } from './record.js';
export { scanSegment } from './segment-scan.js';
