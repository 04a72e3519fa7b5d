import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkRecord, decodeRecord, encodedIdBytes, encodeRecord, findNextRecord, MAX_ID_BYTES } from './record.js';

describe('record checksum', () => {
  it("is zlib's CRC-32 (IEEE), the one spools on disk were written with", () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    // The CRC field of a fixed record, as the table-driven CRC-32 this replaced wrote it.
    const record = encodeRecord(
      2 ** 40 + 7,
      1_700_000_000_123.5,
      encodedIdBytes('sensor-a:42'),
      new Uint8Array(1000).map((_, i) => i * 31),
    );
    expect(Buffer.from(record.subarray(4, 8)).toString('hex')).toBe('d32eb1c5');
  });
});

describe('record format', () => {
  const id = encodedIdBytes('sensor-a:42');
  const payload = new Uint8Array([1, 2, 3, 4, 5]);

  it('round-trips sequence numbers beyond 32 bits, the time, the id and the payload', () => {
    const seq = 2 ** 40 + 7;
    const bytes = encodeRecord(seq, 1_700_000_000_123.5, id, payload);
    expect(decodeRecord(bytes, 0)).toEqual({
      seq,
      appendedAt: 1_700_000_000_123.5,
      id: 'sensor-a:42',
      payload: expect.anything(),
    });
    expect([...decodeRecord(bytes, 0)!.payload]).toEqual([...payload]);
  });

  it('rejects a record cut short or with any byte flipped', () => {
    const bytes = encodeRecord(1, 0, id, payload);
    expect(checkRecord(bytes.subarray(0, bytes.length - 1), 0)).toBeUndefined();
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] ^= 0x01;
      expect(checkRecord(copy, 0), `byte ${i}`).toBeUndefined();
    }
  });

  it('finds the next valid record after garbage', () => {
    const good = encodeRecord(3, 0, id, payload);
    const bytes = Buffer.concat([Buffer.from('WWSPgarbage-that-is-not-a-record'), good]);
    expect(findNextRecord(bytes, 1)).toBe(bytes.length - good.length);
    expect(findNextRecord(good, 1)).toBe(-1);
  });

  it('refuses an id longer than the limit', () => {
    expect(() => encodedIdBytes('x'.repeat(MAX_ID_BYTES + 1))).toThrow(RangeError);
  });
});
