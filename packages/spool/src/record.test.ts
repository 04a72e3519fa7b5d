import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Table } from './crc32.js';
import { checkRecord, decodeRecord, encodedIdBytes, encodeRecord, findNextRecord, MAX_ID_BYTES } from './record.js';

describe('crc32', () => {
  it('gives the standard check value and agrees with the table fallback', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Table(check)).toBe(0xcbf43926);
    const random = randomBytes(10_000);
    expect(crc32(random)).toBe(crc32Table(random));
  });
});

describe('record format', () => {
  const id = encodedIdBytes('sensor-a:42');
  const payload = new Uint8Array([1, 2, 3, 4, 5]);

  it('round-trips sequence numbers beyond 32 bits, the time, the id and the payload', () => {
    const seq = 2 ** 40 + 7;
    const bytes = encodeRecord(seq, 1_700_000_000_123.5, id, payload);
    expect(decodeRecord(bytes, 0)).toEqual({ seq, appendedAt: 1_700_000_000_123.5, id: 'sensor-a:42', payload: expect.anything() });
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
