import { describe, expect, it } from 'vitest';
import { sealCrc } from './binary.js';
import { HyperLogLog, hash64 } from './hyperloglog.js';
import { check, rng } from '../testing/random.js';

/** Adds keys [i, salt] for i in [from, to). */
function addRange(hll: HyperLogLog, from: number, to: number, salt: number): void {
  const w = new Uint32Array(2);
  w[1] = salt;
  for (let i = from; i < to; i++) {
    w[0] = i;
    hll.addKey(w, 2);
  }
}

/** Register equality without a per-element deep-equal (65536 registers at p = 16). */
function expectSameRegisters(actual: HyperLogLog, expected: HyperLogLog): void {
  const differing = actual.registers.findIndex((r, i) => r !== expected.registers[i]);
  expect(differing, `first differing register`).toBe(-1);
  expect(actual.p).toBe(expected.p);
}

function relativeError(hll: HyperLogLog, n: number): number {
  return Math.abs(hll.estimate() / n - 1);
}

describe('hash64', () => {
  it('is deterministic, length-sensitive and writes two 32-bit halves', () => {
    const a = new Uint32Array(2);
    const b = new Uint32Array(2);
    hash64([1, 2, 3], 3, a);
    hash64(new Uint32Array([1, 2, 3]), 3, b);
    expect(Array.from(a)).toEqual(Array.from(b));
    hash64([0], 1, a);
    hash64([0, 0], 2, b);
    expect(Array.from(a)).not.toEqual(Array.from(b));
    hash64([1, 2, 9], 2, b); // only the first n words count
    hash64([1, 2], 2, a);
    expect(Array.from(a)).toEqual(Array.from(b));
    hash64([1, 2], 2, a);
    hash64([2, 1], 2, b);
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('has balanced, uncorrelated output bits on sequential keys', () => {
    const n = 1 << 16;
    const ones = new Float64Array(64);
    const out = new Uint32Array(2);
    // agreement between bit i of the high half and bit i of the low half (would be ~1 or ~0 if the halves were related)
    const agree = new Float64Array(32);
    for (let i = 0; i < n; i++) {
      hash64([i, 0x0a000001], 2, out);
      for (let bit = 0; bit < 32; bit++) {
        const h = (out[0] >>> bit) & 1;
        const l = (out[1] >>> bit) & 1;
        ones[bit] += h;
        ones[32 + bit] += l;
        agree[bit] += h === l ? 1 : 0;
      }
    }
    const tolerance = 6 * (0.5 / Math.sqrt(n)); // 6 sigma
    for (let bit = 0; bit < 64; bit++)
      check(Math.abs(ones[bit] / n - 0.5) < tolerance, `bit ${bit} set in ${ones[bit] / n}`);
    for (let bit = 0; bit < 32; bit++)
      check(Math.abs(agree[bit] / n - 0.5) < tolerance, `halves agree on bit ${bit} in ${agree[bit] / n}`);
  });

  it('avalanches: flipping any input bit flips each output bit about half the time', () => {
    const trials = 2000;
    const random = rng(99);
    const flips = new Float64Array(64 * 64);
    const base = new Uint32Array(2);
    const changed = new Uint32Array(2);
    const key = new Uint32Array(2);
    for (let t = 0; t < trials; t++) {
      const w0 = (random() * 2 ** 32) >>> 0;
      const w1 = (random() * 2 ** 32) >>> 0;
      key[0] = w0;
      key[1] = w1;
      hash64(key, 2, base);
      for (let inBit = 0; inBit < 64; inBit++) {
        key[0] = inBit < 32 ? w0 ^ (1 << inBit) : w0;
        key[1] = inBit >= 32 ? w1 ^ (1 << (inBit - 32)) : w1;
        hash64(key, 2, changed);
        const d0 = base[0] ^ changed[0];
        const d1 = base[1] ^ changed[1];
        for (let outBit = 0; outBit < 32; outBit++) {
          flips[inBit * 64 + outBit] += (d0 >>> outBit) & 1;
          flips[inBit * 64 + 32 + outBit] += (d1 >>> outBit) & 1;
        }
      }
    }
    const tolerance = 6 * (0.5 / Math.sqrt(trials));
    for (let i = 0; i < flips.length; i++) {
      check(
        Math.abs(flips[i] / trials - 0.5) < tolerance,
        `input bit ${i >> 6} flips output bit ${i & 63} with p=${flips[i] / trials}`,
      );
    }
  });
});

describe('HyperLogLog', () => {
  it('validates precision and exposes its shape', () => {
    for (const p of [3, 17, 14.5, Number.NaN]) expect(() => new HyperLogLog(p)).toThrow(RangeError);
    const h = new HyperLogLog();
    expect(h.p).toBe(14);
    expect(h.m).toBe(16384);
    expect(h.registers.length).toBe(16384);
    expect(h.maxRank).toBe(51);
    expect(h.standardError).toBeCloseTo(1.04 / 128, 12);
    expect(h.estimate()).toBe(0);
    expect(() => h.addKey(new Uint32Array(2), 3)).toThrow(RangeError);
  });

  it('addHash takes the index from the top p bits and the rank from the remaining 64 - p bits', () => {
    for (const p of [4, 14, 16]) {
      const h = new HyperLogLog(p);
      const q = 64 - p;
      const at = (index: number, low32OfHi: number, lo: number): number => {
        h.clear();
        h.addHash(((index << (32 - p)) | low32OfHi) >>> 0, lo);
        return h.registers[index];
      };
      const top = h.m - 1;
      expect(at(top, 1 << (31 - p), 0)).toBe(1); // first rank bit set
      expect(at(3, 1, 0)).toBe(32 - p); // last bit of the high half
      expect(at(5, 0, 0x80000000)).toBe(33 - p); // first bit of the low half
      expect(at(0, 0, 1)).toBe(q); // last bit overall
      expect(at(top, 0, 0)).toBe(q + 1); // all rank bits zero
      // signed inputs are accepted too
      h.clear();
      h.addHash(-1, -1);
      expect(h.registers[top]).toBe(1);
      // registers keep the maximum
      h.clear();
      h.addHash(0, 1);
      h.addHash(0, 0x80000000);
      expect(h.registers[0]).toBe(q);
    }
  });

  it('is nearly exact for tiny sets and ignores duplicates', () => {
    const h = new HyperLogLog(14);
    const w = new Uint32Array(3);
    for (let n = 1; n <= 300; n++) {
      w[0] = n;
      w[1] = 0xc0a80001;
      w[2] = 443;
      h.addKey(w, 3);
      h.addKey(w, 3);
      const e = h.estimate();
      check(Math.abs(e - n) <= 0.5 + 0.005 * n, `n=${n}: estimate ${e}`);
    }
  });

  it('stays within 3 standard errors at 10, 1e3, 1e5 and 1e6 distinct keys (p = 14)', () => {
    const h = new HyperLogLog(14);
    const bound = 3 * h.standardError;
    let added = 0;
    for (const n of [10, 1e3, 1e5, 1e6]) {
      addRange(h, added, n, 0x5eed);
      added = n;
      expect(relativeError(h, n), `n=${n}`).toBeLessThan(bound);
    }
    // re-adding everything changes nothing
    const before = HyperLogLog.deserialize(h.serialize());
    addRange(h, 0, 1e5, 0x5eed);
    expectSameRegisters(h, before);
  });

  it('stays within 3 standard errors across precisions, including the mid range (2m..5m)', () => {
    let seed = 1;
    for (const p of [4, 6, 8, 10, 12, 16]) {
      const m = 1 << p;
      for (const factor of [0.5, 2, 3, 5, 40]) {
        const n = Math.round(factor * m);
        if (n > 3e6) continue;
        const h = new HyperLogLog(p);
        addRange(h, 0, n, seed++);
        check(relativeError(h, n) < 3 * h.standardError, `p=${p}, n=${n}: estimate ${h.estimate()}`);
      }
    }
  });

  it('merge equals the sketch of the union (and is commutative and idempotent)', () => {
    const a = new HyperLogLog(12);
    const b = new HyperLogLog(12);
    const union = new HyperLogLog(12);
    addRange(a, 0, 60_000, 1);
    addRange(b, 40_000, 150_000, 1);
    addRange(union, 0, 150_000, 1);
    const ab = HyperLogLog.deserialize(a.serialize()).merge(b);
    const ba = HyperLogLog.deserialize(b.serialize()).merge(a);
    expectSameRegisters(ab, union);
    expectSameRegisters(ba, union);
    expect(ab.estimate()).toBe(union.estimate());
    expect(relativeError(ab, 150_000)).toBeLessThan(3 * ab.standardError);
    ab.merge(ab).merge(a);
    expectSameRegisters(ab, union);
    expect(() => a.merge(new HyperLogLog(13))).toThrow(/precision mismatch/);
  });

  it('clear() empties the sketch', () => {
    const h = new HyperLogLog(10);
    addRange(h, 0, 5000, 3);
    h.clear();
    expect(h.estimate()).toBe(0);
    expect(h.registers.every((r) => r === 0)).toBe(true);
  });

  describe('serialization', () => {
    it('round-trips dense and sparse encodings', () => {
      for (const [p, n] of [
        [14, 0],
        [14, 50],
        [14, 3000],
        [14, 200_000],
        [4, 1000],
        [16, 10],
        [16, 100_000],
      ] as const) {
        const h = new HyperLogLog(p);
        addRange(h, 0, n, 7);
        const bytes = h.serialize();
        const nonZero = h.registers.filter((r) => r !== 0).length;
        const sparse = 4 + 3 * nonZero < h.m;
        expect(bytes[6]).toBe(sparse ? 1 : 0);
        expect(bytes.length).toBe(8 + (sparse ? 4 + 3 * nonZero : h.m) + 4);
        const back = HyperLogLog.deserialize(bytes);
        expect(back.p).toBe(p);
        expectSameRegisters(back, h);
        expect(back.estimate()).toBe(h.estimate());
        expect(back.serialize()).toEqual(bytes);
      }
    });

    it('rejects truncated, extended or bit-flipped input', () => {
      for (const n of [20, 5000]) {
        const h = new HyperLogLog(8);
        addRange(h, 0, n, 1);
        const good = h.serialize();
        for (let len = 0; len < good.length; len++) {
          expect(() => HyperLogLog.deserialize(good.slice(0, len)), `length ${len}`).toThrow(Error);
        }
        const longer = new Uint8Array(good.length + 3);
        longer.set(good);
        expect(() => HyperLogLog.deserialize(longer)).toThrow(Error);
        for (let i = 0; i < good.length; i++) {
          const bad = good.slice();
          bad[i] ^= 0x10;
          expect(() => HyperLogLog.deserialize(bad), `flip byte ${i}`).toThrow(Error);
        }
      }
    });

    it('rejects well-checksummed but invalid content', () => {
      const dense = new HyperLogLog(4);
      addRange(dense, 0, 1000, 1);
      const sparse = new HyperLogLog(10);
      addRange(sparse, 0, 20, 1);
      const goodDense = dense.serialize();
      const goodSparse = sparse.serialize();
      expect(goodDense[6]).toBe(0);
      expect(goodSparse[6]).toBe(1);
      const cases: [string, Uint8Array, (v: DataView, b: Uint8Array) => void, RegExp][] = [
        ['magic', goodDense, (_v, b) => (b[1] = 0), /bad magic/],
        ['version', goodDense, (_v, b) => (b[4] = 9), /unsupported version 9/],
        ['p too small', goodDense, (_v, b) => (b[5] = 3), /precision 3/],
        ['p too large', goodDense, (_v, b) => (b[5] = 17), /precision 17/],
        ['p vs length', goodDense, (_v, b) => (b[5] = 5), /length/],
        ['encoding', goodDense, (_v, b) => (b[6] = 2), /encoding 2/],
        ['reserved', goodDense, (_v, b) => (b[7] = 1), /reserved/],
        ['register too large', goodDense, (_v, b) => (b[8 + 3] = 62), /62 exceeds 61/],
        ['sparse count vs length', goodSparse, (v) => v.setUint32(8, v.getUint32(8, true) + 1, true), /length/],
        ['sparse count > m', goodSparse, (v) => v.setUint32(8, 5000, true), /exceeds 1024/],
        ['sparse index order', goodSparse, (v) => v.setUint16(12 + 3, v.getUint16(12, true), true), /out of order/],
        [
          'sparse index range',
          goodSparse,
          (v) => v.setUint16(12 + 3 * (v.getUint32(8, true) - 1), 1024, true),
          /out of order or range/,
        ],
        ['sparse zero value', goodSparse, (_v, b) => (b[12 + 2] = 0), /out of range/],
        ['sparse value too large', goodSparse, (_v, b) => (b[12 + 2] = 56), /out of range 1..55/],
      ];
      for (const [name, good, mutate, message] of cases) {
        const bad = good.slice();
        mutate(new DataView(bad.buffer), bad);
        sealCrc(bad);
        expect(() => HyperLogLog.deserialize(bad), name).toThrow(message);
      }
    });
  });
});
