import { openCaptureFile } from '@wirewatch/packet';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureRecord } from './packet-source.js';
import { PcapRotator } from './pcap-rotator.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-rotator-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000; // 2023-11-14T22:13:20Z

/** Record `i`: `size` bytes whose first word is `i`, at T0 + i ms. */
function record(i: number, size = 1000, linkType = 1): CaptureRecord {
  const data = Buffer.alloc(size + 4, 0xab);
  data.writeUInt32BE(i, 4);
  return { data, offset: 4, caplen: size, origLen: size + 100, timestamp: T0 + i / 1000, linkType };
}

/** The first words of a file's records, read back with the project's reader. */
function firstWords(path: string): { words: number[]; linkTypes: Set<number>; truncated: boolean } {
  const reader = openCaptureFile(path);
  const words: number[] = [];
  while (reader.next()) {
    expect(reader.origLen).toBe(reader.caplen + 100);
    words.push(reader.data.readUInt32BE(reader.offset));
  }
  reader.close();
  return { words, linkTypes: reader.linkTypes, truncated: reader.truncated };
}

const files = (): string[] => readdirSync(dir).sort();

function descriptorsOn(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

describe('PcapRotator', () => {
  it('rotates before a file would pass the size, keeps the newest files, and each reads back exactly', () => {
    const rotateMb = 0.1; // 104,857 bytes: 24-byte header + 103 records of 16 + 1000 bytes
    const rotator = new PcapRotator({ dir, prefix: 'test', rotateMb, keep: 3 });
    for (let i = 0; i < 1000; i++) rotator.write(record(i));
    rotator.close();

    expect(rotator.stats()).toMatchObject({
      written: 1000,
      dropped: 0,
      writeErrors: 0,
      filesCreated: 10,
      filesDeleted: 7,
    });
    const kept = files();
    expect(kept).toEqual([
      'test-20231114T221320Z-000008.pcap',
      'test-20231114T221320Z-000009.pcap',
      'test-20231114T221320Z-000010.pcap',
    ]);
    const contents = kept.map((name) => firstWords(join(dir, name)));
    expect(contents.map((c) => c.words.length)).toEqual([103, 103, 73]);
    expect(contents.flatMap((c) => c.words)).toEqual(Array.from({ length: 279 }, (_, k) => 721 + k));
    for (const name of kept) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(rotateMb * 1024 * 1024);
    expect(statSync(join(dir, kept[0])).size).toBe(24 + 103 * 1016);

    const capinfos = spawnSync('capinfos', ['-c', '-M', join(dir, kept[2])], { encoding: 'utf8' });
    expect(capinfos.status).toBe(0);
    expect(capinfos.stdout).toMatch(/Number of packets:\s+73\n/);
  });

  it('starts a new file when the link type changes', () => {
    const rotator = new PcapRotator({ dir, prefix: 'lt', rotateMb: 10, keep: 10 });
    [1, 1, 101, 101, 101, 1].forEach((linkType, i) => rotator.write(record(i, 60, linkType)));
    rotator.close();
    const contents = files().map((name) => firstWords(join(dir, name)));
    expect(contents.map((c) => [[...c.linkTypes], c.words])).toEqual([
      [[1], [0, 1]],
      [[101], [2, 3, 4]],
      [[1], [5]],
    ]);
  });

  it('counts the files of an earlier run toward keep and continues their numbering', () => {
    for (const seq of [3, 4, 5]) writeFileSync(join(dir, `old-20200101T000000Z-00000${seq}.pcap`), '');
    writeFileSync(join(dir, 'other-20200101T000000Z-000001.pcap'), ''); // another prefix: not ours
    const rotator = new PcapRotator({ dir, prefix: 'old', rotateMb: 10, keep: 2 });
    rotator.write(record(1));
    rotator.close();
    expect(files()).toEqual([
      'old-20200101T000000Z-000005.pcap',
      'old-20231114T221320Z-000006.pcap',
      'other-20200101T000000Z-000001.pcap',
    ]);
    expect(rotator.stats().filesDeleted).toBe(2);
  });

  it('flushes on its timer, so a file being written is readable', async () => {
    const rotator = new PcapRotator({ dir, prefix: 'tick', rotateMb: 10, keep: 2, flushIntervalMs: 20 });
    for (let i = 0; i < 5; i++) rotator.write(record(i));
    const path = join(dir, files()[0]);
    const deadline = Date.now() + 2000;
    while (statSync(path).size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(firstWords(path).words).toEqual([0, 1, 2, 3, 4]);
    rotator.close();
  });

  it('a full disk costs the records it could not write, is reported once, and writing resumes', () => {
    const errors: string[] = [];
    const rotator = new PcapRotator({
      dir,
      prefix: 'full',
      rotateMb: 10,
      keep: 5,
      retryAfterMs: 0,
      onError: (e) => errors.push(e.message),
    });
    // The first two files land on /dev/full (every write fails with ENOSPC), the third on the disk.
    for (const seq of [1, 2]) symlinkSync('/dev/full', join(dir, `full-20231114T221320Z-00000${seq}.pcap`));
    for (let i = 0; i < 10; i++) rotator.write(record(i));
    expect(() => rotator.flush()).not.toThrow(); // file 1: ENOSPC
    for (let i = 10; i < 20; i++) rotator.write(record(i)); // file 2
    rotator.flush(); // ENOSPC again: same run of failures, not reported again
    for (let i = 20; i < 30; i++) rotator.write(record(i)); // file 3, on the disk
    rotator.close();

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^writing .*full-20231114T221320Z-000001\.pcap failed: no space left on the device$/);
    expect(rotator.stats()).toMatchObject({ written: 10, dropped: 20, writeErrors: 2, filesCreated: 3 });
    expect(files()).toEqual(['full-20231114T221320Z-000003.pcap']); // the failed files held nothing good: removed
    expect(descriptorsOn('/dev/full')).toBe(0); // closed, although PcapWriter.close() threw
    expect(firstWords(join(dir, files()[0])).words).toEqual(Array.from({ length: 10 }, (_, k) => 20 + k));
  });

  it('a full disk deletes the oldest file to make room (never the newest), and the ring goes on', () => {
    const errors: string[] = [];
    const rotator = new PcapRotator({
      dir,
      prefix: 'ring',
      rotateMb: 0.01,
      keep: 10,
      retryAfterMs: 0,
      onError: (e) => errors.push(e.message),
    });
    // Ten records of 1,016 bytes fill a file of 0.01 MiB; the third file lands on /dev/full (ENOSPC).
    symlinkSync('/dev/full', join(dir, 'ring-20231114T221320Z-000003.pcap'));
    for (let i = 0; i < 30; i++) rotator.write(record(i));
    expect(rotator.stats()).toMatchObject({ failing: null, filesDeletedForSpace: 0 });
    rotator.write(record(30)); // closing file 3 fails: its 10 records and this one are lost, file 1 makes room
    expect(rotator.stats()).toMatchObject({
      written: 20,
      dropped: 11,
      filesDeleted: 1,
      filesDeletedForSpace: 1,
      failing: 'no space left on the device',
    });
    expect(files()).toEqual(['ring-20231114T221320Z-000002.pcap']);
    for (let i = 31; i < 36; i++) rotator.write(record(i)); // file 4, on the disk
    rotator.flush();
    expect(rotator.stats()).toMatchObject({ written: 25, dropped: 11, failing: null });
    rotator.close();
    expect(errors).toEqual([
      expect.stringMatching(/ring-20231114T221320Z-000003\.pcap failed: no space left on the device$/),
    ]);
    expect(files()).toEqual(['ring-20231114T221320Z-000002.pcap', 'ring-20231114T221320Z-000004.pcap']);
    expect(firstWords(join(dir, files()[0])).words).toEqual(Array.from({ length: 10 }, (_, k) => 10 + k));
    expect(firstWords(join(dir, files()[1])).words).toEqual([31, 32, 33, 34, 35]);
  });

  it('a full disk leaves the newest good file alone', () => {
    const rotator = new PcapRotator({ dir, prefix: 'one', rotateMb: 0.01, keep: 5, retryAfterMs: 60_000 });
    symlinkSync('/dev/full', join(dir, 'one-20231114T221320Z-000002.pcap'));
    for (let i = 0; i < 21; i++) rotator.write(record(i)); // file 1 fills, file 2 cannot be written
    expect(rotator.stats()).toMatchObject({
      written: 10,
      dropped: 11,
      filesDeletedForSpace: 0,
      failing: 'no space left on the device',
    });
    expect(files()).toEqual(['one-20231114T221320Z-000001.pcap']);
    rotator.close();
  });

  it('a flush that fails while writing loses exactly the records it held', () => {
    const rotator = new PcapRotator({ dir, prefix: 'big', rotateMb: 10, keep: 5, retryAfterMs: 0 });
    symlinkSync('/dev/full', join(dir, 'big-20231114T221320Z-000001.pcap'));
    // 256 KiB of buffered records (the 258th of 1,016 bytes) make the rotator flush: ENOSPC.
    for (let i = 0; i < 300; i++) rotator.write(record(i));
    rotator.close();
    expect(rotator.stats()).toMatchObject({ written: 42, dropped: 258, writeErrors: 1, filesCreated: 2 });
    expect(firstWords(join(dir, 'big-20231114T221320Z-000002.pcap')).words).toEqual(
      Array.from({ length: 42 }, (_, k) => 258 + k),
    );
  });

  it('a vanished directory is counted, and records are dropped until the retry time', () => {
    const errors: Error[] = [];
    const rotator = new PcapRotator({
      dir,
      prefix: 'gone',
      rotateMb: 0.01,
      keep: 5,
      retryAfterMs: 60_000,
      onError: (e) => errors.push(e),
    });
    rotator.write(record(0));
    rmSync(dir, { recursive: true });
    // Records 0-9 fill the first file, whose descriptor still works (its inode outlives the unlink);
    // record 10 needs a new file, which cannot be created: it and all later ones until the retry are dropped.
    for (let i = 1; i < 50; i++) expect(() => rotator.write(record(i))).not.toThrow();
    rotator.close();
    expect(rotator.stats()).toMatchObject({ written: 10, dropped: 40, writeErrors: 1, filesCreated: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^writing a PCAP file in .* failed: no such directory$/);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses bad options with one line', () => {
    expect(() => new PcapRotator({ dir, rotateMb: 0, keep: 1 })).toThrow(
      /^PCAP rotation size must be a positive number of MiB, not 0$/,
    );
    expect(() => new PcapRotator({ dir, rotateMb: 1, keep: 0 })).toThrow(
      /^PCAP files to keep must be a positive integer/,
    );
    writeFileSync(join(dir, 'file'), '');
    expect(() => new PcapRotator({ dir: join(dir, 'file', 'sub'), rotateMb: 1, keep: 1 })).toThrow(
      /^cannot write PCAP files in .*: ENOTDIR$/,
    );
  });
});
