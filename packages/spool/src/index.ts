/**
 * The sensor's bounded on-disk buffer for messages NATS could not take yet.
 *
 *   const spool = await Spool.open(dir, { maxBytes, maxRecords?, segmentBytes? });
 *   await spool.append(bytes, { id: natsMsgId });      // → false when dropped (counted); never rejects
 *   const batch = await spool.peek(500);               // oldest first: { seq, id, data, appendedAt }
 *   await spool.ack(batch[k]);                         // removes batch[0..k] for good (survives restart)
 *   spool.stats();                                     // records, bytes, dropped*, corruptSkipped, oldestAgeMs
 *   await spool.close();
 *
 * Files: `seg-<16-digit first seq>.log` (append-only records, each with a CRC-32, see record.ts) and
 * `cursor` (first unacknowledged seq, replaced atomically). A segment is deleted as soon as all its
 * records are acknowledged (the last one too), so a spool that keeps up uses next to no disk.
 * Beyond `maxBytes` whole oldest segments are deleted, beyond `maxRecords` the oldest records are
 * dropped; both counted in `droppedOldest`. A failed write drops the new record, counted in
 * `droppedWriteErrors` (`droppedDiskFull` when the disk was full); the next append tries again.
 * On open the directory is scanned: damaged records are counted in `corruptSkipped` and skipped, and a
 * record torn by a crash at the end is cut off. Writes are not fsync'ed: a process crash loses nothing
 * written, a power loss can tear the tail (detected as above) or lose the latest ack (a resend, which
 * JetStream de-duplicates by the record's id).
 */
export { DEFAULT_SEGMENT_BYTES, Spool } from './spool.js';
export type { PeekOptions, SpoolEntry, SpoolOptions, SpoolStats } from './spool.js';
export { MAX_ID_BYTES } from './record.js';
