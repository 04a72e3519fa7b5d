import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SEGMENT_BYTES, Spool } from './spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirewatch-spool-reclaim-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const segmentFiles = async () => (await readdir(dir)).filter((name) => name.startsWith('seg-')).sort();

describe('Spool: acknowledged records leave the disk', () => {
  it('deletes every segment, the last one too, once all its records are acknowledged', async () => {
    const spool = await Spool.open(dir, { maxBytes: 64 << 20, segmentBytes: 4096 });
    for (let n = 0; n < 10; n++) expect(await spool.append(new Uint8Array(1000).fill(n), { id: `m${n}` })).toBe(true);
    expect((await segmentFiles()).length).toBeGreaterThan(1);
    const batch = await spool.peek(100);
    await spool.ack(batch[4]);
    expect(spool.stats().records).toBe(5);
    await spool.ack(batch[9]);
    expect(await segmentFiles()).toEqual([]);
    expect(spool.stats()).toMatchObject({ records: 0, bytes: 0, segments: 0 });

    // The next record starts a new segment, its sequence number following on (the cursor file keeps it).
    expect(await spool.append(new Uint8Array(10), { id: 'm10' })).toBe(true);
    expect(await segmentFiles()).toEqual(['seg-0000000000000010.log']);
    await spool.ack((await spool.peek(1))[0]);
    await spool.close();
    const reopened = await Spool.open(dir, { maxBytes: 64 << 20 });
    expect(await reopened.append(new Uint8Array(10), { id: 'm11' })).toBe(true);
    expect(await reopened.peek(10)).toMatchObject([{ id: 'm11', seq: 11 }]);
    await reopened.close();
  });

  it('keeps a segment with unacknowledged records', async () => {
    const spool = await Spool.open(dir, { maxBytes: 64 << 20 });
    for (let n = 0; n < 3; n++) await spool.append(new Uint8Array(100), { id: `m${n}` });
    const batch = await spool.peek(3);
    await spool.ack(batch[1]);
    expect(await segmentFiles()).toEqual(['seg-0000000000000000.log']);
    expect(await spool.peek(10)).toMatchObject([{ id: 'm2' }]);
    await spool.close();
  });

  it('starts new segments at 512 KiB by default', async () => {
    expect(DEFAULT_SEGMENT_BYTES).toBe(512 * 1024);
    const spool = await Spool.open(dir, { maxBytes: 64 << 20 });
    for (let n = 0; n < 12; n++) await spool.append(new Uint8Array(100 * 1024), { id: `m${n}` });
    // Five 100 KiB records fit in 512 KiB: 12 records make three segments.
    expect((await segmentFiles()).length).toBe(3);
    await spool.close();
  });
});
