import { describe, expect, it } from 'vitest';
import { rng } from '../testing/random.js';
import { KeyTable } from './key-table.js';

/** Mirror of KeyTable's private hash, used to build keys that collide on purpose. Checked below against the table. */
function hashOf(words: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) {
    h = Math.imul(h ^ words[i], 0x9e3779b1);
    h ^= h >>> 16;
  }
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

interface Internals {
  hashes: Uint32Array;
  buckets: Int32Array;
  mask: number;
  capacity: number;
}

function internals(table: KeyTable): Internals {
  return table as unknown as Internals;
}

function setKey(table: KeyTable, words: ArrayLike<number>): void {
  for (let i = 0; i < table.keyWords; i++) table.key[i] = words[i];
}

function insert(table: KeyTable, words: ArrayLike<number>): number {
  setKey(table, words);
  return table.findOrInsert();
}

function find(table: KeyTable, words: ArrayLike<number>): number {
  setKey(table, words);
  return table.find();
}

function keyAt(table: KeyTable, slot: number): number[] {
  return Array.from(table.keys.subarray(slot * table.keyWords, (slot + 1) * table.keyWords));
}

/**
 * Structural invariants of the open-addressing index: every slot 0..size-1 sits in exactly one bucket,
 * no bucket points past `size`, stored hashes match the keys, and (linear probing without tombstones)
 * no empty bucket lies between a slot's home bucket and the bucket that holds it.
 */
function checkInvariants(table: KeyTable): void {
  const { hashes, buckets, mask } = internals(table);
  check(buckets.length === mask + 1, 'bucket array length');
  const seen = new Int32Array(table.size);
  for (let b = 0; b < buckets.length; b++) {
    const slot = buckets[b];
    if (slot < 0) {
      check(slot === -1, `bucket ${b} holds ${slot}`);
      continue;
    }
    check(slot < table.size, `bucket ${b} points at slot ${slot} >= size ${table.size}`);
    seen[slot]++;
    check(hashes[slot] === hashOf(keyAt(table, slot)), `stale hash for slot ${slot}`);
    for (let p = hashes[slot] & mask; p !== b; p = (p + 1) & mask) {
      check(buckets[p] >= 0, `slot ${slot} in bucket ${b} is unreachable from its home: bucket ${p} is empty`);
    }
  }
  for (let s = 0; s < table.size; s++) check(seen[s] === 1, `slot ${s} is in ${seen[s]} buckets`);
}

/** Plain assertion for hot loops (expect() per check would dominate the run time). */
function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Single-word keys whose home bucket (under `mask`) is `home`, found by brute force. */
function keysWithHome(home: number, mask: number, count: number, start = 0): number[] {
  const out: number[] = [];
  for (let x = start; out.length < count; x++) if ((hashOf([x]) & mask) === home) out.push(x);
  return out;
}

describe('KeyTable', () => {
  it('inserts, finds, and reports whether the slot is new', () => {
    const t = new KeyTable(1, 2);
    expect(find(t, [7])).toBe(-1);
    const a = insert(t, [7]);
    expect(a).toBe(0);
    expect(t.inserted).toBe(true);
    expect(t.size).toBe(1);
    expect(insert(t, [7])).toBe(a);
    expect(t.inserted).toBe(false);
    expect(t.size).toBe(1);
    const b = insert(t, [8]);
    expect(b).toBe(1);
    expect(t.inserted).toBe(true);
    expect(find(t, [7])).toBe(0);
    expect(find(t, [8])).toBe(1);
    expect(find(t, [9])).toBe(-1);
    expect(keyAt(t, 0)).toEqual([7]);
    expect(keyAt(t, 1)).toEqual([8]);
    checkInvariants(t);
  });

  it('mirrors the private hash used by these tests', () => {
    const t = new KeyTable(3, 1);
    const r = rng(1);
    for (let i = 0; i < 200; i++) {
      const w = [(r() * 2 ** 32) >>> 0, (r() * 2 ** 32) >>> 0, (r() * 2 ** 32) >>> 0];
      const slot = insert(t, w);
      expect(internals(t).hashes[slot]).toBe(hashOf(w));
    }
  });

  it('handles extreme word values (0, 2^31, 2^32-1)', () => {
    const t = new KeyTable(2, 1);
    const ws = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff];
    for (const a of ws) for (const b of ws) insert(t, [a, b]);
    expect(t.size).toBe(25);
    for (const a of ws) for (const b of ws) expect(keyAt(t, find(t, [a, b]))).toEqual([a, b]);
    checkInvariants(t);
  });

  it('zeroes the value row of a new slot, including reused ones', () => {
    const t = new KeyTable(1, 3);
    const s = insert(t, [1]);
    t.values.set([1, 2, 3], s * 3);
    insert(t, [2]);
    t.values.set([4, 5, 6], 3);
    t.remove(1);
    expect(insert(t, [3])).toBe(1);
    expect(Array.from(t.values.subarray(3, 6))).toEqual([0, 0, 0]);
    t.clear();
    expect(t.size).toBe(0);
    expect(find(t, [1])).toBe(-1);
    expect(insert(t, [1])).toBe(0);
    expect(t.inserted).toBe(true);
    expect(Array.from(t.values.subarray(0, 3))).toEqual([0, 0, 0]);
    checkInvariants(t);
  });

  it('grows without losing keys or values', () => {
    const t = new KeyTable(2, 2, { initialCapacity: 16 });
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const slot = insert(t, [i, i ^ 0x5bd1e995]);
      check(slot === i && t.inserted, `insert ${i} -> ${slot}`);
      // re-read `values` after each call: growth replaces the array
      t.values[slot * 2] = i;
      t.values[slot * 2 + 1] = -i;
    }
    expect(t.size).toBe(n);
    expect(internals(t).capacity).toBeGreaterThanOrEqual(n);
    for (let i = 0; i < n; i++) {
      const slot = find(t, [i, i ^ 0x5bd1e995]);
      check(slot === i, `find ${i} -> ${slot}`);
      check(t.values[slot * 2] === i && t.values[slot * 2 + 1] === -i, `values of ${i}`);
    }
    for (let i = n; i < n + 1000; i++) check(find(t, [i, i ^ 0x5bd1e995]) === -1, `phantom ${i}`);
    checkInvariants(t);
  });

  it('keeps load factor at most 1/2', () => {
    const t = new KeyTable(1, 0, { initialCapacity: 100 });
    for (let i = 0; i < 10_000; i++) {
      insert(t, [i]);
      check(t.size * 2 <= internals(t).mask + 1, `load factor at size ${t.size}`);
    }
  });

  it('refuses new keys once a bounded table is full, and accepts them again after a remove', () => {
    for (const maxSize of [1, 5, 16, 100]) {
      const t = new KeyTable(1, 1, { maxSize, initialCapacity: 16 });
      for (let i = 0; i < maxSize; i++) expect(insert(t, [i])).toBe(i);
      expect(t.size).toBe(maxSize);
      expect(insert(t, [1000])).toBe(-1);
      expect(t.inserted).toBe(false);
      expect(t.size).toBe(maxSize);
      expect(find(t, [1000])).toBe(-1);
      // existing keys are still found when full
      for (let i = 0; i < maxSize; i++) expect(find(t, [i])).toBe(i);
      expect(insert(t, [0])).toBe(0);
      expect(t.inserted).toBe(false);
      t.remove(0);
      expect(find(t, [0])).toBe(-1);
      expect(insert(t, [1000])).toBe(maxSize - 1);
      expect(t.inserted).toBe(true);
      expect(insert(t, [1001])).toBe(-1);
      // growth never exceeds maxSize
      expect(internals(t).capacity).toBeLessThanOrEqual(Math.max(16, maxSize));
      checkInvariants(t);
    }
  });

  it('remove moves the last slot (key and values) into the hole', () => {
    const t = new KeyTable(2, 2);
    for (let i = 0; i < 5; i++) {
      const s = insert(t, [i, 100 + i]);
      t.values[s * 2] = i;
      t.values[s * 2 + 1] = i * 10;
    }
    t.remove(1);
    expect(t.size).toBe(4);
    expect(find(t, [1, 101])).toBe(-1);
    expect(find(t, [4, 104])).toBe(1);
    expect(keyAt(t, 1)).toEqual([4, 104]);
    expect(Array.from(t.values.subarray(2, 4))).toEqual([4, 40]);
    // removing the last slot moves nothing
    t.remove(3);
    expect(t.size).toBe(3);
    expect(find(t, [3, 103])).toBe(-1);
    expect(find(t, [0, 100])).toBe(0);
    expect(find(t, [4, 104])).toBe(1);
    expect(find(t, [2, 102])).toBe(2);
    checkInvariants(t);
    t.remove(0);
    t.remove(0);
    t.remove(0);
    expect(t.size).toBe(0);
    checkInvariants(t);
  });

  it('distinguishes multi-word keys that differ in any one word or in word order', () => {
    const t = new KeyTable(4, 1);
    const base = [0x0a000001, 0x0a000002, (443 << 16) | 51234, 6];
    const variants: number[][] = [base];
    for (let w = 0; w < 4; w++) {
      for (let bit = 0; bit < 32; bit++) {
        const v = base.slice();
        v[w] = (v[w] ^ (1 << bit)) >>> 0;
        variants.push(v);
      }
    }
    variants.push([base[1], base[0], base[2], base[3]]);
    variants.push([base[0], base[1], base[3], base[2]]);
    for (let i = 0; i < variants.length; i++) {
      expect(insert(t, variants[i])).toBe(i);
      expect(t.inserted).toBe(true);
      t.values[i] = i;
    }
    for (let i = 0; i < variants.length; i++) {
      const s = find(t, variants[i]);
      expect(s).toBe(i);
      expect(keyAt(t, s)).toEqual(variants[i]);
    }
    checkInvariants(t);
  });

  it('backward-shift removal keeps colliding chains reachable, including across the wrap-around', () => {
    // 16 slots -> 32 buckets (mask 31); maxSize keeps the table from growing so the collisions stay put.
    const mask = 31;
    const t = new KeyTable(1, 1, { initialCapacity: 16, maxSize: 16 });
    expect(internals(t).mask).toBe(mask);
    // a long chain homed at bucket 30 wraps into 31, 0, 1, ...; more chains homed at 31, 0, 1 interleave with it.
    const groups = [
      keysWithHome(30, mask, 6),
      keysWithHome(31, mask, 3),
      keysWithHome(0, mask, 4),
      keysWithHome(1, mask, 3),
    ];
    const all = groups.flat();
    expect(all.length).toBe(16);
    const r = rng(7);
    for (let round = 0; round < 300; round++) {
      t.clear();
      const order = all.slice().sort(() => r() - 0.5);
      for (const k of order) t.values[insert(t, [k])] = k;
      checkInvariants(t);
      // remove a random subset, one at a time, checking everything after each removal
      const live = new Set(order);
      const removeCount = 1 + Math.floor(r() * 16);
      for (let i = 0; i < removeCount; i++) {
        const victims = [...live];
        const victim = victims[Math.floor(r() * victims.length)];
        const slot = find(t, [victim]);
        expect(slot).toBeGreaterThanOrEqual(0);
        t.remove(slot);
        live.delete(victim);
        expect(t.size).toBe(live.size);
        expect(find(t, [victim])).toBe(-1);
        for (const k of live) {
          const s = find(t, [k]);
          check(s >= 0, `key ${k} lost after removing ${victim}`);
          check(t.values[s] === k, `value of ${k} after removing ${victim}`);
        }
        checkInvariants(t);
      }
    }
  });

  // KNOWN BUG (reported, key-table.ts is not ours to edit): remove() does not validate `slot`. A stale or
  // out-of-range slot (double remove, slot >= size, negative) makes bucketOf() spin forever, hanging the
  // process instead of throwing. Skipped because a synchronous infinite loop cannot be timed out by vitest;
  // un-skip once remove() throws a RangeError for slots outside 0..size-1.
  it('remove() rejects stale and out-of-range slots instead of hanging', () => {
    const t = new KeyTable(1, 1);
    for (let i = 0; i < 3; i++) insert(t, [i]);
    t.remove(2);
    expect(() => t.remove(2)).toThrow(RangeError); // stale: slot === size
    expect(() => t.remove(7)).toThrow(RangeError);
    expect(() => t.remove(-1)).toThrow(RangeError);
    expect(t.size).toBe(2);
    checkInvariants(t);
  });

  it('matches a Map model under random inserts and removes (heavy collisions, bounded)', () => {
    const mask = 31;
    // universe of 40 keys, most of them homed on a handful of neighbouring buckets
    const universe = [
      ...keysWithHome(5, mask, 10),
      ...keysWithHome(6, mask, 8),
      ...keysWithHome(7, mask, 6),
      ...keysWithHome(31, mask, 8),
      ...keysWithHome(0, mask, 8),
    ];
    runModel(
      universe.map((k) => [k]),
      1,
      { initialCapacity: 16, maxSize: 16 },
      20_000,
      11,
    );
  });

  it('matches a Map model under random inserts and removes (growable, multi-word)', () => {
    const r = rng(3);
    const universe: number[][] = [];
    for (let i = 0; i < 3000; i++) universe.push([(r() * 2 ** 32) >>> 0, i & 7, (r() * 4) >>> 0]);
    runModel(universe, 3, { initialCapacity: 16 }, 60_000, 5);
  });
});

function runModel(
  universe: number[][],
  keyWords: number,
  options: { initialCapacity?: number; maxSize?: number },
  steps: number,
  seed: number,
): void {
  const t = new KeyTable(keyWords, 2, options);
  const maxSize = options.maxSize ?? Infinity;
  const model = new Map<number, number>(); // universe index -> value stored in column 0
  const r = rng(seed);
  let stamp = 1;
  let removes = 0;
  let refusals = 0;
  const checkEvery = universe.length > 100 ? 1009 : 7;
  for (let step = 0; step < steps; step++) {
    const u = Math.floor(r() * universe.length);
    const op = r();
    const where = `step ${step}, key #${u}`;
    if (op < 0.55) {
      const slot = insert(t, universe[u]);
      if (model.has(u)) {
        check(!t.inserted && t.values[slot * 2] === model.get(u), `${where}: existing key`);
      } else if (model.size >= maxSize) {
        check(slot === -1 && !t.inserted, `${where}: full table accepted a key`);
        refusals++;
      } else {
        check(t.inserted && slot === model.size, `${where}: new key got slot ${slot}`);
        check(t.values[slot * 2] === 0 && t.values[slot * 2 + 1] === 0, `${where}: new slot not zeroed`);
        t.values[slot * 2] = stamp;
        t.values[slot * 2 + 1] = u;
        model.set(u, stamp++);
      }
    } else if (op < 0.95) {
      const slot = find(t, universe[u]);
      if (model.has(u)) {
        check(slot >= 0, `${where}: present key not found`);
        t.remove(slot);
        model.delete(u);
        removes++;
      } else {
        check(slot === -1, `${where}: absent key found`);
      }
    } else if (op < 0.951) {
      t.clear();
      model.clear();
    } else {
      const slot = find(t, universe[u]);
      if (model.has(u)) check(t.values[slot * 2] === model.get(u), `${where}: value`);
      else check(slot === -1, `${where}: absent key found`);
    }
    check(t.size === model.size, `${where}: size ${t.size} vs model ${model.size}`);
    if (step % checkEvery === 0 || step === steps - 1) {
      for (const [k, v] of model) {
        const s = find(t, universe[k]);
        check(s >= 0, `${where}: key #${k} lost`);
        check(t.values[s * 2] === v && t.values[s * 2 + 1] === k, `${where}: values of key #${k}`);
        check(keyAt(t, s).join() === universe[k].join(), `${where}: key words of #${k}`);
      }
      checkInvariants(t);
    }
  }
  expect(removes).toBeGreaterThan(steps / 20); // the sequence really exercises remove()
  if (maxSize !== Infinity) expect(refusals).toBeGreaterThan(0);
}
