/**
 * An open-addressing hash table from fixed-width keys (a few uint32 words) to dense slot numbers,
 * with a row of float64 values per slot. Nothing is allocated per lookup: callers write the key into
 * `key` and call `findOrInsert()`. Slots stay dense (0..size-1) even after `remove`, so iterating is a
 * plain loop and per-slot columns live in `values`.
 *
 * Unbounded tables grow (exact counting); bounded ones refuse new keys once `maxSize` is reached and
 * leave eviction to their owner (Space-Saving).
 */
export class KeyTable {
  readonly keyWords: number;
  readonly columns: number;
  readonly maxSize: number;
  /** The key to look up or insert: fill words 0..keyWords-1 before each call. */
  readonly key: Uint32Array;
  size = 0;
  /** Set by findOrInsert: whether the last call created the slot. */
  inserted = false;
  keys: Uint32Array;
  values: Float64Array;
  private hashes: Uint32Array;
  private buckets: Int32Array;
  private mask: number;
  private capacity: number;

  constructor(keyWords: number, columns: number, options: { initialCapacity?: number; maxSize?: number } = {}) {
    this.keyWords = keyWords;
    this.columns = columns;
    this.maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    this.key = new Uint32Array(keyWords);
    const initial = Math.max(16, Math.min(options.initialCapacity ?? 1024, this.maxSize));
    this.capacity = initial;
    this.keys = new Uint32Array(initial * keyWords);
    this.values = new Float64Array(initial * columns);
    this.hashes = new Uint32Array(initial);
    const bucketCount = nextPowerOfTwo(initial * 2);
    this.buckets = new Int32Array(bucketCount).fill(-1);
    this.mask = bucketCount - 1;
  }

  /** Slot of `key`, or -1. */
  find(): number {
    const h = this.hashKey();
    const buckets = this.buckets;
    let b = h & this.mask;
    for (;;) {
      const slot = buckets[b];
      if (slot < 0) return -1;
      if (this.hashes[slot] === h && this.sameKey(slot)) return slot;
      b = (b + 1) & this.mask;
    }
  }

  /** Slot of `key`, inserted with zeroed values if new; -1 when a bounded table is full. */
  findOrInsert(): number {
    const h = this.hashKey();
    const buckets = this.buckets;
    let b = h & this.mask;
    for (;;) {
      const slot = buckets[b];
      if (slot < 0) break;
      if (this.hashes[slot] === h && this.sameKey(slot)) {
        this.inserted = false;
        return slot;
      }
      b = (b + 1) & this.mask;
    }
    if (this.size >= this.maxSize) {
      this.inserted = false;
      return -1;
    }
    if (this.size === this.capacity) {
      this.grow();
      b = h & this.mask;
      while (this.buckets[b] >= 0) b = (b + 1) & this.mask;
    }
    const slot = this.size++;
    this.buckets[b] = slot;
    this.hashes[slot] = h;
    const kw = this.keyWords;
    const base = slot * kw;
    for (let i = 0; i < kw; i++) this.keys[base + i] = this.key[i];
    const c = this.columns;
    for (let i = 0; i < c; i++) this.values[slot * c + i] = 0;
    this.inserted = true;
    return slot;
  }

  /** Removes `slot`; the last slot moves into its place (its number changes from size-1 to `slot`). */
  remove(slot: number): void {
    if (!(slot >= 0 && slot < this.size && Number.isInteger(slot)))
      throw new RangeError(`no slot ${slot} in a table of ${this.size}`);
    this.unlinkBucket(slot);
    const last = this.size - 1;
    if (slot !== last) {
      const b = this.bucketOf(last);
      this.buckets[b] = slot;
      this.hashes[slot] = this.hashes[last];
      const kw = this.keyWords;
      for (let i = 0; i < kw; i++) this.keys[slot * kw + i] = this.keys[last * kw + i];
      const c = this.columns;
      for (let i = 0; i < c; i++) this.values[slot * c + i] = this.values[last * c + i];
    }
    this.size = last;
  }

  clear(): void {
    this.buckets.fill(-1);
    this.size = 0;
  }

  private bucketOf(slot: number): number {
    let b = this.hashes[slot] & this.mask;
    while (this.buckets[b] !== slot) b = (b + 1) & this.mask;
    return b;
  }

  /** Backward-shift deletion keeps linear probing free of tombstones. */
  private unlinkBucket(slot: number): void {
    const buckets = this.buckets;
    const mask = this.mask;
    let hole = this.bucketOf(slot);
    let b = (hole + 1) & mask;
    for (;;) {
      const s = buckets[b];
      if (s < 0) break;
      const home = this.hashes[s] & mask;
      const distFromHome = (b - home) & mask;
      const distFromHole = (b - hole) & mask;
      if (distFromHome >= distFromHole) {
        buckets[hole] = s;
        hole = b;
      }
      b = (b + 1) & mask;
    }
    buckets[hole] = -1;
  }

  private sameKey(slot: number): boolean {
    const kw = this.keyWords;
    const keys = this.keys;
    const key = this.key;
    const base = slot * kw;
    for (let i = 0; i < kw; i++) if (keys[base + i] !== key[i]) return false;
    return true;
  }

  private hashKey(): number {
    const key = this.key;
    let h = 0x811c9dc5;
    for (let i = 0; i < this.keyWords; i++) {
      h = Math.imul(h ^ key[i], 0x9e3779b1);
      h ^= h >>> 16;
    }
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private grow(): void {
    const capacity = Math.min(this.capacity * 2, this.maxSize);
    const keys = new Uint32Array(capacity * this.keyWords);
    keys.set(this.keys);
    this.keys = keys;
    const values = new Float64Array(capacity * this.columns);
    values.set(this.values);
    this.values = values;
    const hashes = new Uint32Array(capacity);
    hashes.set(this.hashes);
    this.hashes = hashes;
    this.capacity = capacity;
    const bucketCount = nextPowerOfTwo(capacity * 2);
    const buckets = new Int32Array(bucketCount).fill(-1);
    const mask = bucketCount - 1;
    for (let slot = 0; slot < this.size; slot++) {
      let b = hashes[slot] & mask;
      while (buckets[b] >= 0) b = (b + 1) & mask;
      buckets[b] = slot;
    }
    this.buckets = buckets;
    this.mask = mask;
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}
