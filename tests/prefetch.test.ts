/** Reading ahead on a worker thread must hand out exactly the records the plain reader does. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCaptureFile, PcapWriter } from '@wirewatch/packet';

const LAB = join(fileURLToPath(new URL('..', import.meta.url)), 'samples/lab.pcap');
let dir: string;
let big: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-prefetch-'));
  big = join(dir, 'big.pcap');
  // Odd-sized records from the sample, many times over, so records straddle every chunk boundary.
  const writer = new PcapWriter(big, 1);
  for (let copy = 0; copy < 12; copy++) {
    const reader = openCaptureFile(LAB);
    while (reader.next())
      writer.write(
        reader.timestamp + copy * 60,
        reader.data,
        reader.offset,
        reader.caplen - (copy % 3),
        reader.origLen,
      );
    reader.close();
  }
  writer.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function digest(prefetch: boolean, file = big): { records: number; sha: string } {
  const reader = openCaptureFile(file, { prefetch });
  const hash = createHash('sha256');
  const header = Buffer.alloc(16);
  let records = 0;
  while (reader.next()) {
    header.writeDoubleLE(reader.timestamp, 0);
    header.writeUInt32LE(reader.caplen, 8);
    header.writeUInt32LE(reader.origLen, 12);
    hash.update(header);
    hash.update(reader.data.subarray(reader.offset, reader.offset + reader.caplen));
    records++;
  }
  reader.close();
  return { records, sha: hash.digest('hex') };
}

it('reads a large file identically with and without the reader thread', () => {
  expect(statSync(big).size).toBeGreaterThan(16 * 1024 * 1024);
  const plain = digest(false);
  expect(plain.records).toBe(2763 * 12);
  expect(digest(true)).toEqual(plain);
});

it('reads a large PCAPNG file identically with and without the reader thread', () => {
  const ng = join(dir, 'big.pcapng');
  const convert = spawnSync('editcap', ['-F', 'pcapng', big, ng]);
  expect(convert.status).toBe(0);
  const plain = digest(false, ng);
  expect(plain.records).toBe(2763 * 12);
  expect(digest(true, ng)).toEqual(plain);
  // Same records as the PCAP it was converted from.
  expect(plain).toEqual(digest(false));
});
