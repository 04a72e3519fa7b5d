import { KeyTable } from '../table/key-table.js';
import { openChecked, sealCrc, writeMagic } from './binary.js';

/** One monitored key, as reported by `SpaceSaving.entries()`. */
export interface HeavyHitter {
  /** Copy of the key words. */
  key: Uint32Array;
  /** Upper bound on the key's true byte count: true <= bytes <= true + error. */
  bytes: number;
  /** Packets counted while this counter held the key: a lower bound on the key's true packet count. */
  packets: number;
  /** Overestimation bound on `bytes` (bytes the counter inherited from evicted keys / absent sides of merges). */
  error: number;
}

const BYTES = 0;
const PACKETS = 1;
const ERROR = 2;
const COLUMNS = 3;

const MAGIC = 'WWSS';
const VERSION = 1;
const HEADER = 32;
const TRAILER = 4;
export const SPACE_SAVING_MAX_KEY_WORDS = 64;
export const SPACE_SAVING_MAX_CAPACITY = 1 << 24;

/**
 * Weighted Space-Saving (Metwally, Agrawal, El Abbadi 2005) top-k heavy hitters by bytes, with packets
 * tracked alongside. At most `capacity` counters are kept, whatever the stream.
 *
 * Per item: write the key into `sketch.key` (words 0..keyWords-1), then `offer(bytes, packets)`.
 * Nothing is allocated on that path: counters live in a bounded `KeyTable` (columns bytes, packets,
 * error) and an indexed binary min-heap over its slots (`heap[i]` = slot, `pos[slot]` = i) finds the
 * minimum counter in O(1) and restores order in O(log k).
 *
 * Offer rule: a monitored key adds to its counter; a new key takes a free counter if there is one;
 * otherwise it replaces the minimum counter m, starting at bytes = m + weight with error = m.
 *
 * Guarantees, with N = total bytes offered (including merged sketches) and k = capacity:
 * - every counter satisfies true <= bytes <= true + error, and error <= minBytes <= N/k;
 * - any key with true bytes > minBytes (in particular > N/k) is monitored;
 * - a key that is not monitored has true bytes <= minBytes (0 while the sketch is not full).
 * `packets` is counted only while the key holds its counter (and summed across merges), so it is a
 * lower bound on the key's true packets; it is exact for keys that never lost their counter.
 */
export class SpaceSaving {
  readonly keyWords: number;
  readonly capacity: number;
  /** The key for `offer()` / `estimateBytes()`: fill words 0..keyWords-1 before each call. */
  readonly key: Uint32Array;
  /** Total bytes offered (N), including everything merged in. */
  totalBytes = 0;
  /** Total packets offered, including everything merged in. */
  totalPackets = 0;
  private readonly table: KeyTable;
  /** heap[i] = slot; min-heap on the slot's bytes. */
  private readonly heap: Int32Array;
  /** pos[slot] = index of the slot in `heap`. */
  private readonly pos: Int32Array;

  constructor(keyWords: number, capacity: number) {
    if (!Number.isInteger(keyWords) || keyWords < 1 || keyWords > SPACE_SAVING_MAX_KEY_WORDS) {
      throw new RangeError(
        `SpaceSaving: keyWords must be an integer in 1..${SPACE_SAVING_MAX_KEY_WORDS}, got ${keyWords}`,
      );
    }
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > SPACE_SAVING_MAX_CAPACITY) {
      throw new RangeError(
        `SpaceSaving: capacity must be an integer in 1..${SPACE_SAVING_MAX_CAPACITY}, got ${capacity}`,
      );
    }
    this.keyWords = keyWords;
    this.capacity = capacity;
    this.table = new KeyTable(keyWords, COLUMNS, { initialCapacity: capacity, maxSize: capacity });
    this.key = this.table.key;
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity);
  }

  /** Number of monitored keys (<= capacity). */
  get size(): number {
    return this.table.size;
  }

  /**
   * Upper bound on the true bytes of any key that is not monitored: the minimum counter once the sketch
   * is full, 0 before.
   */
  get minBytes(): number {
    return this.table.size < this.capacity ? 0 : this.table.values[this.heap[0] * COLUMNS + BYTES];
  }

  /** Counts `bytes` (the ranking weight) and `packets` for the key in `this.key`. Allocation-free. */
  offer(bytes: number, packets: number): void {
    if (!(bytes >= 0 && packets >= 0))
      throw new RangeError(`SpaceSaving.offer: weights must be >= 0 (bytes ${bytes}, packets ${packets})`);
    this.totalBytes += bytes;
    this.totalPackets += packets;
    const table = this.table;
    let slot = table.findOrInsert();
    if (slot >= 0) {
      const values = table.values;
      const o = slot * COLUMNS;
      values[o + BYTES] += bytes;
      values[o + PACKETS] += packets;
      if (table.inserted) {
        const i = table.size - 1;
        this.heap[i] = slot;
        this.pos[slot] = i;
        this.siftUp(i);
      } else {
        this.siftDown(this.pos[slot]);
      }
      return;
    }
    // Full and the key is new: it takes over the minimum counter.
    const heap = this.heap;
    const pos = this.pos;
    const victim = heap[0];
    const min = table.values[victim * COLUMNS + BYTES];
    table.remove(victim);
    // KeyTable moved its last slot into `victim`; repoint that slot's heap entry.
    const last = table.size;
    if (victim !== last) {
      const j = pos[last];
      heap[j] = victim;
      pos[victim] = j;
    }
    slot = table.findOrInsert(); // == last: the only free slot
    const values = table.values;
    const o = slot * COLUMNS;
    values[o + BYTES] = min + bytes;
    values[o + PACKETS] = packets;
    values[o + ERROR] = min;
    heap[0] = slot;
    pos[slot] = 0;
    this.siftDown(0);
  }

  /** Upper bound on the true bytes of the key in `this.key`: its counter, or `minBytes` if unmonitored. */
  estimateBytes(): number {
    const slot = this.table.find();
    return slot >= 0 ? this.table.values[slot * COLUMNS + BYTES] : this.minBytes;
  }

  /** The top `n` counters (all by default), by bytes descending (ties: smaller error first). */
  entries(n: number = this.capacity): HeavyHitter[] {
    const table = this.table;
    const values = table.values;
    const slots = Array.from({ length: table.size }, (_, i) => i);
    slots.sort(
      (a, b) =>
        values[b * COLUMNS + BYTES] - values[a * COLUMNS + BYTES] ||
        values[a * COLUMNS + ERROR] - values[b * COLUMNS + ERROR],
    );
    const kw = this.keyWords;
    const count = Math.max(0, Math.min(n, slots.length));
    const out = new Array<HeavyHitter>(count);
    for (let i = 0; i < count; i++) {
      const s = slots[i];
      out[i] = {
        key: table.keys.slice(s * kw, s * kw + kw),
        bytes: values[s * COLUMNS + BYTES],
        packets: values[s * COLUMNS + PACKETS],
        error: values[s * COLUMNS + ERROR],
      };
    }
    return out;
  }

  /**
   * Merges `other` into this sketch (same keyWords and capacity required; `other` is not modified;
   * merging a sketch with itself is allowed).
   *
   * Rule (the Space-Saving merge of Cafaro, Pulimeno & Tempesta 2016, equivalent in guarantees to
   * Agarwal et al. 2012, "Mergeable Summaries"): let mA, mB be the two sketches' `minBytes` (0 when a
   * sketch is not full: nothing was ever evicted from it). For every key in the union of the two counter
   * sets, the combined counter is
   *     bytes = (A's counter, or mA if absent from A) + (B's counter, or mB if absent from B)
   *     error = (A's error,   or mA if absent from A) + (B's error,   or mB if absent from B)
   *     packets = A's packets (0 if absent) + B's packets (0 if absent)
   * and the k largest by bytes are kept.
   *
   * Why not "subtract the (k+1)-th largest from all": that is Agarwal et al.'s rule for Misra-Gries,
   * whose counters are *under*estimates (true - N/(k+1) <= c <= true). Space-Saving counters are
   * *over*estimates, and subtracting would break true <= bytes. (Agarwal et al. merge Space-Saving by
   * converting it to Misra-Gries, which needs a floor value for phantom counters; the rule above keeps
   * real keys and the same bound.)
   *
   * Guarantee preserved (N = NA + NB): mA, mB are upper bounds on the true count of any key absent from
   * A, B, so every combined counter is >= the key's true union count and bytes - error is <= it. The k
   * kept counters sum to at most NA + NB (each side's contributions can be matched to distinct counters
   * of that side, all >= its minimum), so the new minimum m' <= N/k; every dropped or never-seen key has
   * an upper bound <= m' (dropped ones lost to the top k; never-seen ones have mA + mB <= any combined
   * counter). Hence keys with true bytes > N/k survive, and error <= mA + mB <= m' <= N/k.
   */
  merge(other: SpaceSaving): this {
    if (!(other instanceof SpaceSaving)) throw new TypeError('SpaceSaving.merge: expected a SpaceSaving');
    if (other.keyWords !== this.keyWords || other.capacity !== this.capacity) {
      throw new Error(
        `SpaceSaving.merge: shape mismatch (keyWords ${this.keyWords} vs ${other.keyWords}, capacity ${this.capacity} vs ${other.capacity})`,
      );
    }
    const kw = this.keyWords;
    const mA = this.minBytes;
    const mB = other.minBytes;
    const totalBytes = this.totalBytes + other.totalBytes;
    const totalPackets = this.totalPackets + other.totalPackets;
    // union: columns bytes, packets, error, seen-in-B
    const union = new KeyTable(kw, 4, { initialCapacity: this.size + other.size });
    const a = this.table;
    for (let s = 0; s < a.size; s++) {
      union.key.set(a.keys.subarray(s * kw, s * kw + kw));
      const u = union.findOrInsert();
      union.values[u * 4 + BYTES] = a.values[s * COLUMNS + BYTES];
      union.values[u * 4 + PACKETS] = a.values[s * COLUMNS + PACKETS];
      union.values[u * 4 + ERROR] = a.values[s * COLUMNS + ERROR];
    }
    const b = other.table;
    for (let s = 0; s < b.size; s++) {
      union.key.set(b.keys.subarray(s * kw, s * kw + kw));
      const u = union.findOrInsert();
      const v = union.values;
      const o = u * 4;
      if (union.inserted) {
        v[o + BYTES] = mA;
        v[o + ERROR] = mA;
      }
      v[o + BYTES] += b.values[s * COLUMNS + BYTES];
      v[o + PACKETS] += b.values[s * COLUMNS + PACKETS];
      v[o + ERROR] += b.values[s * COLUMNS + ERROR];
      v[o + 3] = 1;
    }
    const uv = union.values;
    if (mB > 0) {
      for (let u = 0; u < union.size; u++) {
        if (uv[u * 4 + 3] === 0) {
          uv[u * 4 + BYTES] += mB;
          uv[u * 4 + ERROR] += mB;
        }
      }
    }
    const order = Array.from({ length: union.size }, (_, i) => i);
    order.sort((x, y) => uv[y * 4 + BYTES] - uv[x * 4 + BYTES] || uv[x * 4 + ERROR] - uv[y * 4 + ERROR]);
    this.table.clear();
    const keep = Math.min(this.capacity, order.length);
    for (let i = 0; i < keep; i++) {
      const u = order[i];
      this.insertCounter(
        union.keys.subarray(u * kw, u * kw + kw),
        uv[u * 4 + BYTES],
        uv[u * 4 + PACKETS],
        uv[u * 4 + ERROR],
      );
    }
    this.rebuildHeap();
    this.totalBytes = totalBytes;
    this.totalPackets = totalPackets;
    return this;
  }

  clear(): void {
    this.table.clear();
    this.totalBytes = 0;
    this.totalPackets = 0;
  }

  /**
   * Binary form, version 1, little-endian:
   *
   *   0  'WWSS' magic          4  u8 version (1)      5  u8 flags (0)     6  u16 keyWords
   *   8  u32 capacity         12  u32 count          16  f64 totalBytes   24  f64 totalPackets
   *   32  count entries, by bytes descending: keyWords x u32 key, f64 bytes, f64 packets, f64 error
   *   end u32 CRC-32 of all preceding bytes
   */
  serialize(): Uint8Array {
    const kw = this.keyWords;
    const entrySize = kw * 4 + 24;
    const entries = this.entries();
    const out = new Uint8Array(HEADER + entries.length * entrySize + TRAILER);
    const view = new DataView(out.buffer);
    writeMagic(out, MAGIC);
    out[4] = VERSION;
    out[5] = 0;
    view.setUint16(6, kw, true);
    view.setUint32(8, this.capacity, true);
    view.setUint32(12, entries.length, true);
    view.setFloat64(16, this.totalBytes, true);
    view.setFloat64(24, this.totalPackets, true);
    let o = HEADER;
    for (const e of entries) {
      for (let i = 0; i < kw; i++, o += 4) view.setUint32(o, e.key[i], true);
      view.setFloat64(o, e.bytes, true);
      view.setFloat64(o + 8, e.packets, true);
      view.setFloat64(o + 16, e.error, true);
      o += 24;
    }
    sealCrc(out);
    return out;
  }

  /**
   * The shape a `serialize()` output declares (after its magic, version, length and CRC are checked),
   * without allocating anything: readers bound the capacity before `deserialize` reserves it.
   */
  static readShape(bytes: Uint8Array): { keyWords: number; capacity: number; count: number } {
    const fail = (why: string): never => {
      throw new Error(`SpaceSaving.readShape: ${why}`);
    };
    const view = openChecked(bytes, 'SpaceSaving', MAGIC, VERSION, HEADER + TRAILER);
    const keyWords = view.getUint16(6, true);
    const capacity = view.getUint32(8, true);
    const count = view.getUint32(12, true);
    if (count > capacity) fail(`count ${count} exceeds capacity ${capacity}`);
    if (bytes.length !== HEADER + count * (keyWords * 4 + 24) + TRAILER)
      fail(`length ${bytes.length} does not hold ${count} entries`);
    return { keyWords, capacity, count };
  }

  /** Bytes of the largest `serialize()` output of a sketch with this shape (every counter in use). */
  static maxSerializedLength(keyWords: number, capacity: number): number {
    return HEADER + capacity * (keyWords * 4 + 24) + TRAILER;
  }

  /** Parses `serialize()` output; throws an Error describing the first problem on malformed input. */
  static deserialize(bytes: Uint8Array): SpaceSaving {
    const fail = (why: string): never => {
      throw new Error(`SpaceSaving.deserialize: ${why}`);
    };
    const view = openChecked(bytes, 'SpaceSaving', MAGIC, VERSION, HEADER + TRAILER);
    if (bytes[5] !== 0) fail(`unknown flags ${bytes[5]}`);
    const kw = view.getUint16(6, true);
    const capacity = view.getUint32(8, true);
    const count = view.getUint32(12, true);
    const totalBytes = view.getFloat64(16, true);
    const totalPackets = view.getFloat64(24, true);
    if (kw < 1 || kw > SPACE_SAVING_MAX_KEY_WORDS) fail(`keyWords ${kw} out of range`);
    if (capacity < 1 || capacity > SPACE_SAVING_MAX_CAPACITY) fail(`capacity ${capacity} out of range`);
    if (count > capacity) fail(`count ${count} exceeds capacity ${capacity}`);
    const entrySize = kw * 4 + 24;
    const expected = HEADER + count * entrySize + TRAILER;
    if (bytes.length !== expected) fail(`length ${bytes.length}, expected ${expected} for ${count} entries`);
    if (!isWeight(totalBytes) || !isWeight(totalPackets)) fail('totals must be finite and >= 0');
    const sketch = new SpaceSaving(kw, capacity);
    let sumBytes = 0;
    let sumPackets = 0;
    let maxError = 0;
    let minCount = Infinity;
    let o = HEADER;
    for (let n = 0; n < count; n++) {
      for (let i = 0; i < kw; i++, o += 4) sketch.key[i] = view.getUint32(o, true);
      const b = view.getFloat64(o, true);
      const p = view.getFloat64(o + 8, true);
      const e = view.getFloat64(o + 16, true);
      o += 24;
      if (!isWeight(b) || !isWeight(p) || !isWeight(e)) fail(`entry ${n}: counts must be finite and >= 0`);
      if (e > b) fail(`entry ${n}: error ${e} exceeds bytes ${b}`);
      if (!sketch.insertCounter(sketch.key, b, p, e)) fail(`entry ${n}: duplicate key`);
      sumBytes += b;
      sumPackets += p;
      if (e > maxError) maxError = e;
      if (b < minCount) minCount = b;
    }
    // Invariants every reachable sketch satisfies (see the class comment).
    const slack = 1 + 1e-9;
    if (sumBytes > totalBytes * slack) fail(`counters sum to ${sumBytes} bytes, more than the total ${totalBytes}`);
    if (sumPackets > totalPackets * slack)
      fail(`counters sum to ${sumPackets} packets, more than the total ${totalPackets}`);
    const floor = count < capacity ? 0 : minCount;
    if (maxError > floor * slack) fail(`an error bound (${maxError}) exceeds the minimum counter (${floor})`);
    sketch.rebuildHeap();
    sketch.totalBytes = totalBytes;
    sketch.totalPackets = totalPackets;
    return sketch;
  }

  /**
   * The first `n` entries of a `serialize()` output (which lists them by bytes, descending) without
   * building the sketch: checks the header, length and CRC, and that the entries read are in order.
   * For readers that only need the top of the list (the collector's per-sensor points); merging
   * still needs `deserialize`, which checks every invariant.
   */
  static readTop(bytes: Uint8Array, n: number): HeavyHitter[] {
    const fail = (why: string): never => {
      throw new Error(`SpaceSaving.readTop: ${why}`);
    };
    const view = openChecked(bytes, 'SpaceSaving', MAGIC, VERSION, HEADER + TRAILER);
    const kw = view.getUint16(6, true);
    const count = view.getUint32(12, true);
    if (kw < 1 || kw > SPACE_SAVING_MAX_KEY_WORDS) fail(`keyWords ${kw} out of range`);
    const entrySize = kw * 4 + 24;
    if (bytes.length !== HEADER + count * entrySize + TRAILER)
      fail(`length ${bytes.length} does not hold ${count} entries`);
    const out: HeavyHitter[] = [];
    let previous = Infinity;
    for (let i = 0, o = HEADER; i < Math.min(n, count); i++, o += entrySize) {
      const key = new Uint32Array(kw);
      for (let w = 0; w < kw; w++) key[w] = view.getUint32(o + w * 4, true);
      const b = view.getFloat64(o + kw * 4, true);
      const packets = view.getFloat64(o + kw * 4 + 8, true);
      const error = view.getFloat64(o + kw * 4 + 16, true);
      if (!isWeight(b) || !isWeight(packets) || !isWeight(error) || error > b) fail(`entry ${i}: invalid counts`);
      if (b > previous) fail(`entry ${i}: not in descending order`);
      previous = b;
      out.push({ key, bytes: b, packets, error });
    }
    return out;
  }

  /** Adds a counter for a key known to be absent (heap left for `rebuildHeap`); false if the key exists. */
  private insertCounter(key: Uint32Array, bytes: number, packets: number, error: number): boolean {
    const table = this.table;
    if (key !== table.key) table.key.set(key);
    const slot = table.findOrInsert();
    if (!table.inserted) return false;
    const o = slot * COLUMNS;
    table.values[o + BYTES] = bytes;
    table.values[o + PACKETS] = packets;
    table.values[o + ERROR] = error;
    return true;
  }

  private rebuildHeap(): void {
    const n = this.table.size;
    for (let i = 0; i < n; i++) {
      this.heap[i] = i;
      this.pos[i] = i;
    }
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const values = this.table.values;
    const slot = heap[i];
    const w = values[slot * COLUMNS + BYTES];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = heap[parent];
      if (values[ps * COLUMNS + BYTES] <= w) break;
      heap[i] = ps;
      pos[ps] = i;
      i = parent;
    }
    heap[i] = slot;
    pos[slot] = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const values = this.table.values;
    const n = this.table.size;
    const slot = heap[i];
    const w = values[slot * COLUMNS + BYTES];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let cw = values[heap[child] * COLUMNS + BYTES];
      const right = child + 1;
      if (right < n) {
        const rw = values[heap[right] * COLUMNS + BYTES];
        if (rw < cw) {
          child = right;
          cw = rw;
        }
      }
      if (cw >= w) break;
      const cs = heap[child];
      heap[i] = cs;
      pos[cs] = i;
      i = child;
    }
    heap[i] = slot;
    pos[slot] = i;
  }
}

function isWeight(x: number): boolean {
  return x >= 0 && x !== Infinity;
}
