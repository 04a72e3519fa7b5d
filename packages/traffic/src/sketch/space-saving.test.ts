import { describe, expect, it } from 'vitest';
import { sealCrc } from './binary.js';
import { SpaceSaving } from './space-saving.js';
import { check, rng, zipf } from '../testing/random.js';

const KEY_WORDS = 3;

/** Flow-like key for item `id`: [id, scrambled id, protocol]; word 0 identifies the item. */
function setKey(sketch: SpaceSaving, id: number): void {
  sketch.key[0] = id;
  sketch.key[1] = Math.imul(id, 0x9e3779b1) >>> 0;
  sketch.key[2] = 6;
}

interface Exact {
  bytes: Map<number, number>;
  packets: Map<number, number>;
  total: number;
}

function newExact(): Exact {
  return { bytes: new Map(), packets: new Map(), total: 0 };
}

function record(exact: Exact, id: number, bytes: number, packets: number): void {
  exact.bytes.set(id, (exact.bytes.get(id) ?? 0) + bytes);
  exact.packets.set(id, (exact.packets.get(id) ?? 0) + packets);
  exact.total += bytes;
}

function unionOf(...parts: Exact[]): Exact {
  const u = newExact();
  for (const p of parts) {
    for (const [id, b] of p.bytes) record(u, id, b, p.packets.get(id)!);
  }
  return u;
}

interface StreamOptions {
  items: number;
  universe: number;
  s: number;
  seed: number;
  /** Added to every drawn rank, so different streams can favour different keys. */
  shift?: number;
  unitWeights?: boolean;
}

/** Feeds a Zipf stream of flow records (bytes 40..1500 per packet, 1..4 packets) to `sketch` and `exact`. */
function feed(sketch: SpaceSaving, exact: Exact, o: StreamOptions): void {
  const random = rng(o.seed);
  const draw = zipf(o.universe, o.s, random);
  for (let i = 0; i < o.items; i++) {
    const id = (draw() + (o.shift ?? 0)) % o.universe;
    const packets = o.unitWeights ? 1 : 1 + Math.floor(random() * 4);
    const bytes = o.unitWeights ? 1 : packets * (40 + Math.floor(random() * 1461));
    setKey(sketch, id);
    sketch.offer(bytes, packets);
    record(exact, id, bytes, packets);
  }
}

interface Internals {
  heap: Int32Array;
  pos: Int32Array;
  table: { size: number; values: Float64Array };
}

/** The indexed heap is a valid min-heap on bytes and pos/heap are inverse permutations of the slots. */
function checkHeap(sketch: SpaceSaving): void {
  const { heap, pos, table } = sketch as unknown as Internals;
  const n = table.size;
  for (let i = 0; i < n; i++) {
    check(heap[i] >= 0 && heap[i] < n, `heap[${i}] = ${heap[i]} is not a slot`);
    check(pos[heap[i]] === i, `pos/heap disagree at ${i}`);
    if (i > 0) {
      const parent = (i - 1) >> 1;
      check(table.values[heap[parent] * 3] <= table.values[heap[i] * 3], `heap order broken at ${i}`);
    }
  }
  if (n > 0) {
    let min = Infinity;
    for (let s = 0; s < n; s++) min = Math.min(min, table.values[s * 3]);
    check(table.values[heap[0] * 3] === min, 'heap root is not the minimum');
  }
}

/** All the Space-Saving guarantees, checked against exact counts. */
function checkGuarantees(sketch: SpaceSaving, exact: Exact): void {
  const N = exact.total;
  const k = sketch.capacity;
  checkHeap(sketch);
  expect(sketch.totalBytes).toBe(N);
  expect(sketch.size).toBeLessThanOrEqual(k);
  const entries = sketch.entries();
  expect(entries.length).toBe(sketch.size);
  const floor = sketch.minBytes;
  expect(floor).toBeLessThanOrEqual(N / k + 1e-9);
  const reported = new Set<number>();
  let sum = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const id = e.key[0];
    check(
      e.key.length === KEY_WORDS && e.key[1] === Math.imul(id, 0x9e3779b1) >>> 0 && e.key[2] === 6,
      `garbled key ${e.key.join()}`,
    );
    check(!reported.has(id), `key ${id} reported twice`);
    reported.add(id);
    const trueBytes = exact.bytes.get(id) ?? 0;
    const truePackets = exact.packets.get(id) ?? 0;
    check(trueBytes <= e.bytes, `key ${id}: count ${e.bytes} below true ${trueBytes}`);
    check(e.bytes <= trueBytes + e.error, `key ${id}: count ${e.bytes} above true ${trueBytes} + error ${e.error}`);
    check(e.error >= 0 && e.error <= floor, `key ${id}: error ${e.error} outside 0..minBytes ${floor}`);
    check(e.packets <= truePackets, `key ${id}: packets ${e.packets} above true ${truePackets}`);
    if (e.error === 0) check(e.packets === truePackets && e.bytes === trueBytes, `key ${id}: error 0 but not exact`);
    if (i > 0) check(entries[i - 1].bytes >= e.bytes, 'entries not sorted by bytes');
    sum += e.bytes;
  }
  expect(sum).toBeLessThanOrEqual(N);
  if (sketch.size < k) expect(floor).toBe(0);
  for (const [id, b] of exact.bytes) {
    if (b > N / k || b > floor)
      check(reported.has(id), `heavy key ${id} (${b} bytes > N/k = ${N / k}, floor ${floor}) missing`);
    setKey(sketch, id);
    const estimate = sketch.estimateBytes();
    check(estimate >= b, `estimateBytes(${id}) = ${estimate} < true ${b}`);
  }
}

describe('SpaceSaving', () => {
  it('validates its shape', () => {
    expect(() => new SpaceSaving(0, 10)).toThrow(RangeError);
    expect(() => new SpaceSaving(1, 0)).toThrow(RangeError);
    expect(() => new SpaceSaving(1.5, 10)).toThrow(RangeError);
    expect(() => new SpaceSaving(2, 2 ** 30)).toThrow(RangeError);
    const s = new SpaceSaving(2, 10);
    expect(s.key.length).toBe(2);
    expect(s.size).toBe(0);
    expect(s.minBytes).toBe(0);
    expect(s.entries()).toEqual([]);
  });

  it('rejects negative or NaN weights', () => {
    const s = new SpaceSaving(1, 4);
    s.key[0] = 1;
    expect(() => s.offer(-1, 1)).toThrow(RangeError);
    expect(() => s.offer(1, -1)).toThrow(RangeError);
    expect(() => s.offer(Number.NaN, 1)).toThrow(RangeError);
    expect(s.size).toBe(0);
    expect(s.totalBytes).toBe(0);
  });

  it('is exact while there are at most k distinct keys', () => {
    const sketch = new SpaceSaving(KEY_WORDS, 64);
    const exact = newExact();
    feed(sketch, exact, { items: 20_000, universe: 64, s: 1, seed: 1 });
    expect(sketch.size).toBe(64);
    for (const e of sketch.entries()) {
      expect(e.error).toBe(0);
      expect(e.bytes).toBe(exact.bytes.get(e.key[0]));
      expect(e.packets).toBe(exact.packets.get(e.key[0]));
    }
    checkGuarantees(sketch, exact);
  });

  it('keeps the guarantees on a skewed weighted Zipf stream (s = 1.1), at checkpoints and at the end', () => {
    const sketch = new SpaceSaving(KEY_WORDS, 100);
    const exact = newExact();
    for (let part = 0; part < 4; part++) {
      feed(sketch, exact, { items: 50_000, universe: 100_000, s: 1.1, seed: 100 + part });
      checkGuarantees(sketch, exact);
    }
    expect(sketch.size).toBe(100);
    // the top keys by true bytes are the top reported ones (the stream is skewed enough)
    const trueTop = [...exact.bytes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([id]) => id);
    expect(sketch.entries(5).map((e) => e.key[0])).toEqual(trueTop);
  });

  it('keeps the guarantees on a flat Zipf stream (s = 0.7) with heavy eviction churn', () => {
    const sketch = new SpaceSaving(KEY_WORDS, 50);
    const exact = newExact();
    feed(sketch, exact, { items: 200_000, universe: 20_000, s: 0.7, seed: 7 });
    checkGuarantees(sketch, exact);
  });

  it('keeps the guarantees with unit weights (classic counting) and small capacities', () => {
    for (const k of [1, 2, 3, 15, 16, 17]) {
      const sketch = new SpaceSaving(KEY_WORDS, k);
      const exact = newExact();
      feed(sketch, exact, { items: 30_000, universe: 500, s: 1.2, seed: k, unitWeights: true });
      checkGuarantees(sketch, exact);
      expect(sketch.size).toBe(k);
    }
  });

  it('stays bounded on an all-distinct stream', () => {
    const sketch = new SpaceSaving(KEY_WORDS, 32);
    const exact = newExact();
    for (let id = 0; id < 50_000; id++) {
      setKey(sketch, id);
      sketch.offer(100, 1);
      record(exact, id, 100, 1);
    }
    expect(sketch.size).toBe(32);
    checkGuarantees(sketch, exact);
    // with equal weights the floor grows like N/k
    expect(sketch.minBytes).toBeGreaterThan(0);
  });

  it('handles zero-byte offers and adversarial ascending streams', () => {
    const sketch = new SpaceSaving(KEY_WORDS, 8);
    const exact = newExact();
    // each key appears more often than the previous one: every new key evicts the minimum
    for (let id = 0; id < 200; id++) {
      for (let r = 0; r <= id % 37; r++) {
        setKey(sketch, id);
        const bytes = r === 0 ? 0 : 60;
        sketch.offer(bytes, 1);
        record(exact, id, bytes, 1);
      }
    }
    checkHeap(sketch);
    const N = exact.total;
    for (const e of sketch.entries()) {
      const t = exact.bytes.get(e.key[0]) ?? 0;
      expect(t).toBeLessThanOrEqual(e.bytes);
      expect(e.bytes).toBeLessThanOrEqual(t + e.error);
    }
    expect(sketch.minBytes).toBeLessThanOrEqual(N / 8);
  });

  it('entries(n) returns the top n as independent copies', () => {
    const sketch = new SpaceSaving(1, 10);
    for (let id = 1; id <= 10; id++) {
      sketch.key[0] = id;
      sketch.offer(id * 10, id);
    }
    const top = sketch.entries(3);
    expect(top.map((e) => [e.key[0], e.bytes, e.packets, e.error])).toEqual([
      [10, 100, 10, 0],
      [9, 90, 9, 0],
      [8, 80, 8, 0],
    ]);
    top[0].key[0] = 999;
    expect(sketch.entries(1)[0].key[0]).toBe(10);
    expect(sketch.entries(0)).toEqual([]);
    expect(sketch.entries(100).length).toBe(10);
    // an 11th key replaces the minimum (key 1, 10 bytes) and inherits it as error
    sketch.key[0] = 11;
    sketch.offer(5, 1);
    const e11 = sketch.entries().find((e) => e.key[0] === 11)!;
    expect([e11.bytes, e11.packets, e11.error]).toEqual([15, 1, 10]);
    expect(sketch.entries().some((e) => e.key[0] === 1)).toBe(false);
    expect(sketch.minBytes).toBe(15);
    sketch.key[0] = 1;
    expect(sketch.estimateBytes()).toBe(15);
  });

  it('clear() resets counts and totals', () => {
    const sketch = new SpaceSaving(KEY_WORDS, 16);
    feed(sketch, newExact(), { items: 1000, universe: 100, s: 1, seed: 3 });
    sketch.clear();
    expect(sketch.size).toBe(0);
    expect(sketch.totalBytes).toBe(0);
    expect(sketch.totalPackets).toBe(0);
    const exact = newExact();
    feed(sketch, exact, { items: 5000, universe: 1000, s: 1, seed: 4 });
    checkGuarantees(sketch, exact);
  });

  describe('merge', () => {
    it('is exact when the union fits', () => {
      const a = new SpaceSaving(KEY_WORDS, 100);
      const b = new SpaceSaving(KEY_WORDS, 100);
      const ea = newExact();
      const eb = newExact();
      feed(a, ea, { items: 5000, universe: 60, s: 1, seed: 1 });
      feed(b, eb, { items: 5000, universe: 60, s: 1, seed: 2, shift: 30 });
      a.merge(b);
      const u = unionOf(ea, eb);
      expect(a.size).toBe(u.bytes.size);
      for (const e of a.entries()) {
        expect(e.error).toBe(0);
        expect(e.bytes).toBe(u.bytes.get(e.key[0]));
        expect(e.packets).toBe(u.packets.get(e.key[0]));
      }
      checkGuarantees(a, u);
    });

    it('keeps the guarantees against the exact union of two Zipf streams favouring different keys', () => {
      const k = 64;
      const a = new SpaceSaving(KEY_WORDS, k);
      const b = new SpaceSaving(KEY_WORDS, k);
      const ea = newExact();
      const eb = newExact();
      feed(a, ea, { items: 100_000, universe: 50_000, s: 1.05, seed: 11 });
      feed(b, eb, { items: 60_000, universe: 50_000, s: 0.9, seed: 12, shift: 20 });
      const bBefore = b.serialize();
      a.merge(b);
      expect(b.serialize()).toEqual(bBefore); // the argument is untouched
      const u = unionOf(ea, eb);
      checkGuarantees(a, u);
      // and the merged sketch keeps working as a sketch
      const more = newExact();
      feed(a, more, { items: 40_000, universe: 50_000, s: 1.1, seed: 13, shift: 7 });
      checkGuarantees(a, unionOf(u, more));
    });

    it('keeps the guarantees when a collector folds many sensor/interval sketches', () => {
      const k = 40;
      const acc = new SpaceSaving(KEY_WORDS, k);
      const parts: Exact[] = [];
      for (let i = 0; i < 12; i++) {
        const s = new SpaceSaving(KEY_WORDS, k);
        const e = newExact();
        feed(s, e, {
          items: 3000 + 2000 * (i % 4),
          universe: 5000,
          s: 0.8 + 0.05 * (i % 5),
          seed: 200 + i,
          shift: (i * 97) % 300,
        });
        parts.push(e);
        // alternate merge directions, and go through the wire format as a collector would
        acc.merge(SpaceSaving.deserialize(s.serialize()));
        checkGuarantees(acc, unionOf(...parts));
      }
      // merging the other way round (many into one fresh sketch, tree-shaped) gives the same guarantees
      const left = new SpaceSaving(KEY_WORDS, k);
      const right = new SpaceSaving(KEY_WORDS, k);
      const el = newExact();
      const er = newExact();
      feed(left, el, { items: 20_000, universe: 5000, s: 0.9, seed: 301 });
      feed(right, er, { items: 20_000, universe: 5000, s: 0.9, seed: 302, shift: 2500 });
      right.merge(left);
      right.merge(acc);
      checkGuarantees(right, unionOf(el, er, ...parts));
    });

    it('merges with itself (doubling every count) and with an empty sketch', () => {
      const a = new SpaceSaving(KEY_WORDS, 30);
      const ea = newExact();
      feed(a, ea, { items: 20_000, universe: 3000, s: 1, seed: 5 });
      const before = a.entries();
      a.merge(new SpaceSaving(KEY_WORDS, 30));
      expect(a.entries()).toEqual(before);
      a.merge(a);
      checkGuarantees(a, unionOf(ea, ea));
      const empty = new SpaceSaving(KEY_WORDS, 30);
      empty.merge(SpaceSaving.deserialize(new SpaceSaving(KEY_WORDS, 30).merge(a).serialize()));
      checkGuarantees(empty, unionOf(ea, ea));
    });

    it('refuses sketches of a different shape', () => {
      const a = new SpaceSaving(2, 10);
      expect(() => a.merge(new SpaceSaving(3, 10))).toThrow(/shape mismatch/);
      expect(() => a.merge(new SpaceSaving(2, 11))).toThrow(/shape mismatch/);
    });
  });

  describe('serialization', () => {
    it('round-trips counters, totals and behaviour', () => {
      const a = new SpaceSaving(KEY_WORDS, 50);
      const ea = newExact();
      feed(a, ea, { items: 30_000, universe: 10_000, s: 1, seed: 21 });
      const bytes = a.serialize();
      expect(bytes.length).toBe(32 + 50 * (KEY_WORDS * 4 + 24) + 4);
      const b = SpaceSaving.deserialize(bytes);
      expect(b.keyWords).toBe(KEY_WORDS);
      expect(b.capacity).toBe(50);
      expect(b.totalBytes).toBe(a.totalBytes);
      expect(b.totalPackets).toBe(a.totalPackets);
      expect(b.minBytes).toBe(a.minBytes);
      expect(b.entries()).toEqual(a.entries());
      expect(b.serialize()).toEqual(bytes);
      checkGuarantees(b, ea);
      feed(b, ea, { items: 10_000, universe: 10_000, s: 1, seed: 22 });
      checkGuarantees(b, ea);
    });

    it('round-trips an empty sketch and a sliced buffer', () => {
      const empty = SpaceSaving.deserialize(new SpaceSaving(4, 7).serialize());
      expect([empty.keyWords, empty.capacity, empty.size, empty.totalBytes]).toEqual([4, 7, 0, 0]);
      const s = new SpaceSaving(1, 4);
      s.key[0] = 42;
      s.offer(1500, 1);
      const bytes = s.serialize();
      const padded = new Uint8Array(bytes.length + 10);
      padded.set(bytes, 5);
      const back = SpaceSaving.deserialize(padded.subarray(5, 5 + bytes.length));
      expect(back.entries()).toEqual(s.entries());
    });

    it('rejects truncated, extended or bit-flipped input', () => {
      const a = new SpaceSaving(2, 8);
      for (let id = 0; id < 20; id++) {
        a.key[0] = id;
        a.key[1] = id * 3;
        a.offer(100 + id, 1);
      }
      const good = a.serialize();
      for (let len = 0; len < good.length; len++)
        expect(() => SpaceSaving.deserialize(good.slice(0, len))).toThrow(Error);
      const longer = new Uint8Array(good.length + 1);
      longer.set(good);
      expect(() => SpaceSaving.deserialize(longer)).toThrow(/SpaceSaving/);
      for (let i = 0; i < good.length; i++) {
        for (const bit of [0, 3, 7]) {
          const bad = good.slice();
          bad[i] ^= 1 << bit;
          expect(() => SpaceSaving.deserialize(bad), `flip byte ${i} bit ${bit}`).toThrow(Error);
        }
      }
      expect(() => SpaceSaving.deserialize('nope' as unknown as Uint8Array)).toThrow(/Uint8Array/);
    });

    it('rejects well-checksummed but invalid content', () => {
      const a = new SpaceSaving(2, 4);
      for (let id = 0; id < 6; id++) {
        a.key[0] = id;
        a.key[1] = 0;
        a.offer(1000 - id, 2);
      }
      const good = a.serialize();
      expect(() => SpaceSaving.deserialize(good)).not.toThrow();
      const entry0 = 32;
      const entrySize = 2 * 4 + 24;
      const cases: [string, (v: DataView, b: Uint8Array) => void, RegExp][] = [
        ['magic', (_v, b) => (b[0] = 0x58), /bad magic/],
        ['version', (_v, b) => (b[4] = 2), /unsupported version 2/],
        ['flags', (_v, b) => (b[5] = 1), /flags/],
        ['keyWords 0', (v) => v.setUint16(6, 0, true), /keyWords/],
        ['keyWords mismatch', (v) => v.setUint16(6, 3, true), /length/],
        ['capacity 0', (v) => v.setUint32(8, 0, true), /capacity/],
        ['count > capacity', (v) => v.setUint32(8, 3, true), /exceeds capacity/],
        ['count vs length', (v) => v.setUint32(12, 3, true), /length/],
        ['NaN total', (v) => v.setFloat64(16, Number.NaN, true), /totals/],
        ['negative packets total', (v) => v.setFloat64(24, -1, true), /totals/],
        ['NaN bytes', (v) => v.setFloat64(entry0 + 8, Number.NaN, true), /finite/],
        ['infinite error', (v) => v.setFloat64(entry0 + 24, Number.POSITIVE_INFINITY, true), /finite/],
        ['error > bytes', (v) => v.setFloat64(entry0 + entrySize + 24, 5000, true), /exceeds bytes/],
        ['error > floor', (v) => v.setFloat64(entry0 + 24, 1500, true), /minimum counter/],
        ['duplicate key', (v) => v.setUint32(entry0 + entrySize, v.getUint32(entry0, true), true), /duplicate/],
        ['counts above total', (v) => v.setFloat64(16, 10, true), /more than the total/],
        ['packets above total', (v) => v.setFloat64(24, 1, true), /more than the total/],
      ];
      for (const [name, mutate, message] of cases) {
        const bad = good.slice();
        mutate(new DataView(bad.buffer), bad);
        sealCrc(bad);
        expect(() => SpaceSaving.deserialize(bad), name).toThrow(message);
      }
    });
  });
});
