import { mkdtemp, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HEADER_BYTES } from './record.js';
import { Spool, type SpoolEntry } from './spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirewatch-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic payload: `size` bytes derived from `n`. */
function payload(n: number, size = 100): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (n * 31 + i * 7) & 0xff;
  return bytes;
}
const idOf = (n: number) => `msg-${String(n).padStart(3, '0')}`;
/** On-disk size of a record made by `appendAll` with the default payload size. */
const RECORD_BYTES = HEADER_BYTES + idOf(0).length + 100;

async function appendAll(spool: Spool, from: number, to: number, size = 100): Promise<void> {
  for (let n = from; n < to; n++) expect(await spool.append(payload(n, size), { id: idOf(n) })).toBe(true);
}
const ids = (entries: SpoolEntry[]) => entries.map((e) => e.id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const segmentFiles = async () => (await readdir(dir)).filter((name) => name.startsWith('seg-')).sort();

describe('Spool', () => {
  it('keeps records, ids and order across close and reopen, over several segments', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 1000 });
    await appendAll(spool, 0, 40);
    await spool.close();
    expect((await segmentFiles()).length).toBeGreaterThan(4);

    const reopened = await Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 1000 });
    const entries = await reopened.peek(100);
    expect(ids(entries)).toEqual(range(0, 40).map(idOf));
    expect(entries.map((e) => e.seq)).toEqual(range(0, 40));
    entries.forEach((e, n) => expect(e.data).toEqual(payload(n)));
    expect(reopened.stats()).toMatchObject({ records: 40, corruptSkipped: 0, droppedOldest: 0 });
    await reopened.close();
  });

  it('peeks without removing, in batches bounded by count and bytes', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    await appendAll(spool, 0, 10);
    expect(ids(await spool.peek(3))).toEqual(range(0, 3).map(idOf));
    expect(ids(await spool.peek(3))).toEqual(range(0, 3).map(idOf));
    expect(ids(await spool.peek(100, { maxBytes: 2 * RECORD_BYTES + 1 }))).toEqual(range(0, 2).map(idOf));
    expect(ids(await spool.peek(100, { maxBytes: 1 }))).toEqual([idOf(0)]); // always at least one
    await spool.close();
  });

  it('removes acknowledged records for good: across reopen, and deletes consumed segments', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 1000 });
    await appendAll(spool, 0, 30);
    const segmentsBefore = (await segmentFiles()).length;
    const entries = await spool.peek(12);
    await spool.ack(entries[11]);
    expect(spool.stats().records).toBe(18);
    expect(ids(await spool.peek(1))).toEqual([idOf(12)]);
    expect((await segmentFiles()).length).toBeLessThan(segmentsBefore);
    await spool.close();

    const reopened = await Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 1000 });
    expect(ids(await reopened.peek(100))).toEqual(range(12, 30).map(idOf));
    await reopened.ack({ seq: 29 });
    expect(reopened.stats().records).toBe(0);
    await appendAll(reopened, 30, 31);
    await reopened.close();

    const again = await Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 1000 });
    const [only] = await again.peek(10);
    expect(only).toMatchObject({ id: idOf(30), seq: 30 });
    await again.close();
  });

  it('acknowledging a record twice, or one already dropped, changes nothing', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20, maxRecords: 3 });
    await appendAll(spool, 0, 3);
    const [first] = await spool.peek(1);
    await appendAll(spool, 3, 5); // drops 0 and 1
    await spool.ack(first);
    await spool.ack(first);
    expect(ids(await spool.peek(10))).toEqual([idOf(2), idOf(3), idOf(4)]);
    await spool.close();
  });

  it('honours maxBytes by deleting the oldest segments, counting exactly the records dropped', async () => {
    // 20 records fit; segments are capped at maxBytes/8 = 342 bytes: two records each.
    const maxBytes = RECORD_BYTES * 20;
    const spool = await Spool.open(dir, { maxBytes });
    await appendAll(spool, 0, 30);
    // Appends 21, 23, 25, 27 and 29 each found the spool full and deleted a two-record segment.
    expect(spool.stats()).toMatchObject({ droppedOldest: 10, records: 20 });
    expect(spool.stats().bytes).toBeLessThanOrEqual(maxBytes);
    const entries = await spool.peek(100);
    expect(entries.map((e) => e.seq)).toEqual(range(10, 30));
    await spool.close();

    const reopened = await Spool.open(dir, { maxBytes });
    expect(reopened.stats()).toMatchObject({ records: 20, droppedOldest: 0, corruptSkipped: 0 });
    await reopened.close();
  });

  it('honours maxRecords by dropping exactly the oldest records', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20, maxRecords: 5 });
    await appendAll(spool, 0, 12);
    expect(spool.stats()).toMatchObject({ droppedOldest: 7, records: 5 });
    expect(ids(await spool.peek(100))).toEqual(range(7, 12).map(idOf));
    await spool.close();
    const reopened = await Spool.open(dir, { maxBytes: 1 << 20, maxRecords: 5 });
    expect(ids(await reopened.peek(100))).toEqual(range(7, 12).map(idOf));
    await reopened.close();
  });

  it('applies a smaller bound given on reopen', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    await appendAll(spool, 0, 10);
    await spool.close();
    const reopened = await Spool.open(dir, { maxBytes: 1 << 20, maxRecords: 4 });
    expect(reopened.stats()).toMatchObject({ records: 4, droppedOldest: 6 });
    expect(ids(await reopened.peek(10))).toEqual(range(6, 10).map(idOf));
    await reopened.close();
  });

  it('refuses, and counts, a record larger than the whole bound', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1000 });
    await appendAll(spool, 0, 2);
    expect(await spool.append(new Uint8Array(2000), { id: 'huge' })).toBe(false);
    expect(spool.stats()).toMatchObject({ droppedOversize: 1, records: 2, droppedOldest: 0 });
    await spool.close();
  });

  it('skips and counts a record torn by a crash, cuts it off, and appends after it', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    await appendAll(spool, 0, 5);
    await spool.close();
    const [segment] = await segmentFiles();
    await truncate(join(dir, segment), 4 * RECORD_BYTES + 50);

    const reopened = await Spool.open(dir, { maxBytes: 1 << 20 });
    expect(reopened.stats()).toMatchObject({ records: 4, corruptSkipped: 1 });
    expect(ids(await reopened.peek(10))).toEqual(range(0, 4).map(idOf));
    await appendAll(reopened, 5, 7);
    expect(ids(await reopened.peek(10))).toEqual([0, 1, 2, 3, 5, 6].map(idOf));
    await reopened.close();

    const again = await Spool.open(dir, { maxBytes: 1 << 20 });
    expect(again.stats()).toMatchObject({ records: 6, corruptSkipped: 0 });
    expect(ids(await again.peek(10))).toEqual([0, 1, 2, 3, 5, 6].map(idOf));
    await again.close();
  });

  it('survives a segment torn inside its first record header', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    await appendAll(spool, 0, 1);
    await spool.close();
    const [segment] = await segmentFiles();
    await truncate(join(dir, segment), 10);
    const reopened = await Spool.open(dir, { maxBytes: 1 << 20 });
    expect(reopened.stats()).toMatchObject({ records: 0, corruptSkipped: 1 });
    await appendAll(reopened, 1, 2);
    expect(ids(await reopened.peek(10))).toEqual([idOf(1)]);
    await reopened.close();
  });

  it.each([
    ['its payload', 60],
    ['its length field', 9],
    ['its sequence number', 13],
  ])('skips and counts a record with a flipped byte in %s, keeping the records after it', async (_, byteInRecord) => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    await appendAll(spool, 0, 5);
    await spool.close();
    const [segment] = await segmentFiles();
    const path = join(dir, segment);
    const bytes = await readFile(path);
    bytes[2 * RECORD_BYTES + byteInRecord] ^= 0x40;
    await writeFile(path, bytes);

    const reopened = await Spool.open(dir, { maxBytes: 1 << 20 });
    expect(reopened.stats()).toMatchObject({ records: 4, corruptSkipped: 1 });
    expect(ids(await reopened.peek(10))).toEqual([0, 1, 3, 4].map(idOf));
    await reopened.close();
  });

  it('counts every record lost when a damaged stretch spans several', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 1000 });
    await appendAll(spool, 0, 12);
    await spool.close();
    const [first] = await segmentFiles();
    const path = join(dir, first);
    const bytes = await readFile(path);
    bytes.fill(0xee, RECORD_BYTES + 5, bytes.length); // records 1.. to the end of the first segment
    await writeFile(path, bytes);
    const recordsInFirst = Math.floor(1000 / RECORD_BYTES);

    const reopened = await Spool.open(dir, { maxBytes: 1 << 20, segmentBytes: 1000 });
    expect(reopened.stats().corruptSkipped).toBe(recordsInFirst - 1);
    expect(ids(await reopened.peek(100))).toEqual([0, ...range(recordsInFirst, 12)].map(idOf));
    await reopened.close();
  });

  it('skips and counts a record damaged after it was indexed, when it is read', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    await appendAll(spool, 0, 3);
    const [segment] = await segmentFiles();
    const path = join(dir, segment);
    const bytes = await readFile(path);
    bytes[RECORD_BYTES + 70] ^= 1;
    await writeFile(path, bytes);
    expect(ids(await spool.peek(10))).toEqual([0, 2].map(idOf));
    expect(spool.stats()).toMatchObject({ corruptSkipped: 1, records: 2 });
    await spool.close();
  });

  it('counts a write error on a full disk, without throwing, and writes again once there is room', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    // The first append goes to seg-0000000000000000.log; make that name point at a device that is always full.
    const first = join(dir, 'seg-0000000000000000.log');
    await symlink('/dev/full', first);
    expect(await spool.append(payload(0), { id: idOf(0) })).toBe(false);
    expect(spool.stats()).toMatchObject({
      droppedWriteErrors: 1,
      droppedDiskFull: 1,
      writeError: 'ENOSPC',
      records: 0,
    });

    await rm(first);
    await appendAll(spool, 1, 2);
    expect(spool.stats().writeError).toBeUndefined();
    const [entry] = await spool.peek(10);
    expect(entry).toMatchObject({ id: idOf(1), seq: 0 }); // the failed append used up no sequence number
    await spool.close();
    const reopened = await Spool.open(dir, { maxBytes: 1 << 20 });
    expect(reopened.stats()).toMatchObject({ records: 1, corruptSkipped: 0 });
    await reopened.close();
  });

  it('counts a write error when its directory cannot be written, without throwing', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    await appendAll(spool, 0, 2);
    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a directory'); // so it cannot be created again either
    expect(await spool.append(payload(2), { id: idOf(2) })).toBe(false);
    expect(spool.stats().droppedWriteErrors).toBe(1);
    expect(await spool.peek(10)).toEqual([]);
    expect(spool.stats()).toMatchObject({ corruptSkipped: 2, records: 0 });
    await spool.close();
    expect(spool.stats().cursorWriteErrors).toBeGreaterThan(0);
  });

  it('creates its directory again when it was removed, counting the records lost with it', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    await appendAll(spool, 0, 3);
    await rm(dir, { recursive: true });
    await appendAll(spool, 3, 4);
    expect(ids(await spool.peek(10))).toEqual([idOf(3)]);
    expect(spool.stats()).toMatchObject({ corruptSkipped: 3, records: 1 });
    await spool.close();
    const reopened = await Spool.open(dir, { maxBytes: 1 << 20 });
    expect(ids(await reopened.peek(10))).toEqual([idOf(3)]);
    expect(reopened.stats().corruptSkipped).toBe(0);
    await reopened.close();
  });

  it('drops appends after close, counted', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    await spool.close();
    expect(await spool.append(payload(0))).toBe(false);
    expect(spool.stats().droppedWriteErrors).toBe(1);
  });

  it('copies the payload at append time, so the caller may reuse its buffer', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    const buffer = payload(1);
    const written = spool.append(buffer, { id: 'a' });
    buffer.fill(0);
    expect(await written).toBe(true);
    expect((await spool.peek(1))[0].data).toEqual(payload(1));
    await spool.close();
  });

  it('reports the age of the oldest record', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    expect(spool.stats().oldestAgeMs).toBeUndefined();
    const before = Date.now();
    await appendAll(spool, 0, 1);
    const [entry] = await spool.peek(1);
    expect(entry.appendedAt).toBeGreaterThanOrEqual(before);
    expect(spool.stats().oldestAgeMs).toBeGreaterThanOrEqual(0);
    expect(spool.stats().oldestAgeMs).toBeLessThanOrEqual(Date.now() - before);
    await spool.close();
  });

  it('drains thousands of records in batches', async () => {
    const spool = await Spool.open(dir, { maxBytes: 64 << 20 });
    const appends: Promise<boolean>[] = [];
    for (let n = 0; n < 3000; n++) appends.push(spool.append(payload(n, 1000), { id: `m${n}` }));
    expect((await Promise.all(appends)).every(Boolean)).toBe(true);
    let seen = 0;
    for (;;) {
      const batch = await spool.peek(500);
      if (batch.length === 0) break;
      expect(batch[0].id).toBe(`m${seen}`);
      seen += batch.length;
      await spool.ack(batch[batch.length - 1]);
    }
    expect(seen).toBe(3000);
    // Everything acknowledged: no segment is kept, not even the last one.
    expect(spool.stats()).toMatchObject({ records: 0, segments: 0, bytes: 0 });
    await spool.close();
    const cursor = JSON.parse(await readFile(join(dir, 'cursor'), 'utf8'));
    expect(cursor).toEqual({ next: 3000 });
  });

  it('rejects invalid options with a clear message', async () => {
    await expect(Spool.open(dir, { maxBytes: 0 })).rejects.toThrow('spool: maxBytes must be a positive integer, got 0');
    await expect(Spool.open(dir, { maxBytes: 10, maxRecords: 1.5 })).rejects.toThrow(/maxRecords/);
  });

  it('stores the cursor atomically and falls back to resending when it is unreadable', async () => {
    const spool = await Spool.open(dir, { maxBytes: 1 << 20 });
    await appendAll(spool, 0, 3);
    await spool.ack({ seq: 0 });
    await spool.close();
    expect((await readdir(dir)).sort()).toEqual(['cursor', 'seg-0000000000000000.log']);
    await writeFile(join(dir, 'cursor'), '{"next":'); // torn by a crash of the machine
    const reopened = await Spool.open(dir, { maxBytes: 1 << 20 });
    expect(ids(await reopened.peek(10))).toEqual(range(0, 3).map(idOf)); // resent; the NATS msg id dedups
    await reopened.close();
    expect((await stat(join(dir, 'cursor'))).size).toBeGreaterThan(0);
  });
});
