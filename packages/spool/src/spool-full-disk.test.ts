import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountSmallDisk, type SmallDisk } from '../../../tests/harness/small-disk.js';
import { Spool } from './spool.js';

/** A real 2 MiB file system (tmpfs), as root only: mounting needs it. */
let disk: SmallDisk | undefined;
beforeAll(() => {
  disk = mountSmallDisk('wirewatch-spool-tmpfs', '2m');
});
afterAll(() => {
  disk?.dispose();
});

/** Writes zeros to `path` until the file system says it is full. */
async function fillDisk(path: string): Promise<void> {
  const file = await open(path, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) await file.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await file.close();
  }
}

describe('Spool on a real 2 MiB file system', () => {
  it('fits 600 acknowledged 30 KB summaries (18 MB) with nothing dropped, counts drops while the disk is full, and writes again once space returns', async (context) => {
    if (disk?.dir === undefined) return context.skip(disk?.skipReason);
    const mountPoint = disk.dir;
    const dir = join(mountPoint, 'spool');
    const spool = await Spool.open(dir, { maxBytes: 512 << 20 });
    const summary = new Uint8Array(30_000).fill(7);
    for (let n = 0; n < 600; n++) {
      expect(await spool.append(summary, { id: `m${n}` })).toBe(true);
      const [entry] = await spool.peek(1);
      await spool.ack(entry);
    }
    expect(spool.stats()).toMatchObject({ records: 0, bytes: 0, droppedWriteErrors: 0 });

    const filler = join(mountPoint, 'filler');
    await fillDisk(filler);
    for (let n = 600; n < 610; n++) expect(await spool.append(summary, { id: `m${n}` })).toBe(false);
    expect(spool.stats()).toMatchObject({
      records: 0,
      droppedWriteErrors: 10,
      droppedDiskFull: 10,
      writeError: 'ENOSPC',
    });

    await rm(filler);
    expect(await spool.append(summary, { id: 'm610' })).toBe(true);
    expect(spool.stats().writeError).toBeUndefined();
    // Nothing half-written was left behind by the failed appends.
    expect(await spool.peek(10)).toMatchObject([{ id: 'm610', seq: 600 }]);
    await spool.close();
    const reopened = await Spool.open(dir, { maxBytes: 512 << 20 });
    expect(reopened.stats()).toMatchObject({ records: 1, corruptSkipped: 0 });
    await reopened.close();
  });
});
