import { openChecked, sealCrc, writeMagic } from './binary.js';

const MAGIC = 'WWHL';
const VERSION = 1;
const HEADER = 8;
const TRAILER = 4;
const DENSE = 0;
const SPARSE = 1;

export const HLL_MIN_PRECISION = 4;
export const HLL_MAX_PRECISION = 16;

/**
 * Linear-counting thresholds from HyperLogLog++ (Heule, Nunkesser, Hall 2013, Appendix), indexed by
 * p - 4: below these cardinalities linear counting beats the (bias-corrected) HLL estimate.
 */
const LINEAR_COUNTING_THRESHOLD = [10, 20, 40, 80, 220, 400, 900, 1800, 3100, 6500, 11500, 20000, 50000];

/** alpha_inf = 1 / (2 ln 2), the asymptotic HLL constant used by Ertl's estimator. */
const ALPHA_INF = 1 / (2 * Math.LN2);

/**
 * 64-bit hash of `words[0..n-1]`, written as two 32-bit halves: out[0] = high, out[1] = low.
 *
 * HyperLogLog needs every output bit well mixed: p bits pick the register and the leading zeros of
 * the remaining 64 - p bits are the observation. A single 32-bit hash would leave only 32 - p bits
 * (18 at p = 14), saturating registers and biasing estimates well below 2^32 distinct keys, so the hash
 * is 64 bits built from 32-bit Math.imul arithmetic:
 * - two lanes in the style of MurmurHash3_x86_128, each absorbing every word with its own multipliers,
 *   rotations, additive constant and seed (lane 1: Murmur3's c1/c2; lane 2: xxHash32 primes), so the
 *   lanes are not simple functions of each other;
 * - the lanes are cross-added (h1 += h2; h2 += h1) before and after a full-avalanche finalizer
 *   (Murmur3 fmix32 on lane 1, a different-constant fmix variant on lane 2), as Murmur3_x86_128 does,
 *   so each 32-bit half depends on all input bits and on the other lane.
 * The length is folded in, so keys of different lengths hash apart.
 */
export function hash64(words: ArrayLike<number>, n: number, out: Uint32Array): void {
  let h1 = 0x9747b28c;
  let h2 = 0x7f4a7c15 ^ n;
  for (let i = 0; i < n; i++) {
    const w = words[i];
    let k1 = Math.imul(w, 0xcc9e2d51);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, 0x1b873593);
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let k2 = Math.imul(w, 0x85ebca77);
    k2 = (k2 << 13) | (k2 >>> 19);
    h2 ^= Math.imul(k2, 0x9e3779b1);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (Math.imul(h2, 5) + 0x38495ab5) | 0;
    h1 = (h1 + h2) | 0;
  }
  h1 ^= n << 2;
  h2 ^= n << 2;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 = Math.imul(h2 ^ (h2 >>> 15), 0x2c1b3c6d);
  h2 = Math.imul(h2 ^ (h2 >>> 12), 0x297a2d39);
  h2 ^= h2 >>> 15;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
}

/**
 * HyperLogLog distinct counter (Flajolet et al. 2007) with m = 2^p one-byte registers, p in 4..16
 * (default 14: 16 KiB, standard error 1.04/sqrt(m) ~ 0.81%). Adding is allocation-free.
 *
 * Each 64-bit hash uses its top p bits as the register index and stores the position of the first 1
 * bit among the other 64 - p bits (1..65-p). Estimation: linear counting m ln(m/V) (V = empty
 * registers) below HyperLogLog++'s thresholds, otherwise Ertl's improved raw estimator (Ertl 2017, "New
 * cardinality estimation algorithms for HyperLogLog sketches", also used by Redis), which corrects the
 * classic estimator's small/mid-range bias without HLL++'s empirical tables and, with 64-bit hashes,
 * needs no large-range correction.
 */
export class HyperLogLog {
  readonly p: number;
  /** Number of registers, 2^p. */
  readonly m: number;
  readonly registers: Uint8Array;
  private readonly scratch = new Uint32Array(2);
  private readonly histogram: Float64Array;

  constructor(p = 14) {
    if (!Number.isInteger(p) || p < HLL_MIN_PRECISION || p > HLL_MAX_PRECISION) {
      throw new RangeError(
        `HyperLogLog: precision must be an integer in ${HLL_MIN_PRECISION}..${HLL_MAX_PRECISION}, got ${p}`,
      );
    }
    this.p = p;
    this.m = 1 << p;
    this.registers = new Uint8Array(this.m);
    this.histogram = new Float64Array(66 - p);
  }

  /** Relative standard error of `estimate()`, 1.04/sqrt(m). */
  get standardError(): number {
    return 1.04 / Math.sqrt(this.m);
  }

  /** Largest register value: 64 - p + 1 (all 64 - p rank bits zero). */
  get maxRank(): number {
    return 65 - this.p;
  }

  /** Adds a precomputed 64-bit hash given as its high and low 32-bit halves (signed or unsigned). */
  addHash(hi: number, lo: number): void {
    const p = this.p;
    const index = hi >>> (32 - p);
    const rest = hi << p; // the 32 - p bits of `hi` below the index, left-aligned
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 33 - p + Math.clz32(lo);
    if (rank > this.registers[index]) this.registers[index] = rank;
  }

  /** Adds the key `words[0..n-1]` (hashed with `hash64`). */
  addKey(words: ArrayLike<number>, n: number = words.length): void {
    if (n > words.length) throw new RangeError(`HyperLogLog.addKey: n ${n} exceeds ${words.length} words`);
    const s = this.scratch;
    hash64(words, n, s);
    this.addHash(s[0], s[1]);
  }

  /** Estimated number of distinct keys added. */
  estimate(): number {
    const m = this.m;
    const q = 64 - this.p;
    const c = this.histogram;
    c.fill(0);
    const regs = this.registers;
    for (let i = 0; i < m; i++) c[regs[i]]++;
    const zeros = c[0];
    if (zeros === m) return 0;
    if (zeros > 0) {
      const lc = m * Math.log(m / zeros);
      if (lc <= LINEAR_COUNTING_THRESHOLD[this.p - HLL_MIN_PRECISION]) return lc;
    }
    // Ertl 2017, Algorithm 6 ("improved raw estimator").
    let z = m * tau(1 - c[q + 1] / m);
    for (let k = q; k >= 1; k--) z = 0.5 * (z + c[k]);
    z += m * sigma(zeros / m);
    return (ALPHA_INF * m * m) / z;
  }

  /** Register-wise max with `other` (same precision required): the sketch of the union. */
  merge(other: HyperLogLog): this {
    if (!(other instanceof HyperLogLog)) throw new TypeError('HyperLogLog.merge: expected a HyperLogLog');
    if (other.p !== this.p) throw new Error(`HyperLogLog.merge: precision mismatch (${this.p} vs ${other.p})`);
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if (b[i] > a[i]) a[i] = b[i];
    return this;
  }

  clear(): void {
    this.registers.fill(0);
  }

  /**
   * Binary form, version 1, little-endian:
   *
   *   0 'WWHL' magic   4 u8 version (1)   5 u8 p   6 u8 encoding   7 u8 reserved (0)
   *   encoding 0 (dense):  m register bytes
   *   encoding 1 (sparse): u32 count, then count x (u16 index, u8 value), indices strictly increasing,
   *                        values >= 1; chosen when smaller than dense (low cardinalities)
   *   end u32 CRC-32 of all preceding bytes
   */
  serialize(): Uint8Array {
    const regs = this.registers;
    const m = this.m;
    let nonZero = 0;
    for (let i = 0; i < m; i++) if (regs[i] !== 0) nonZero++;
    const sparse = 4 + 3 * nonZero < m;
    const out = new Uint8Array(HEADER + (sparse ? 4 + 3 * nonZero : m) + TRAILER);
    const view = new DataView(out.buffer);
    writeMagic(out, MAGIC);
    out[4] = VERSION;
    out[5] = this.p;
    out[6] = sparse ? SPARSE : DENSE;
    out[7] = 0;
    if (sparse) {
      view.setUint32(HEADER, nonZero, true);
      let o = HEADER + 4;
      for (let i = 0; i < m; i++) {
        if (regs[i] === 0) continue;
        view.setUint16(o, i, true);
        out[o + 2] = regs[i];
        o += 3;
      }
    } else {
      out.set(regs, HEADER);
    }
    sealCrc(out);
    return out;
  }

  /**
   * The precision a `serialize()` output declares (after its magic, version and CRC are checked),
   * without allocating the registers: readers bound it before `deserialize` reserves 2^p bytes.
   */
  static readPrecision(bytes: Uint8Array): number {
    openChecked(bytes, 'HyperLogLog', MAGIC, VERSION, HEADER + TRAILER);
    return bytes[5];
  }

  /** Bytes of the largest `serialize()` output at precision `p` (the dense form). */
  static maxSerializedLength(p: number): number {
    return HEADER + 2 ** p + TRAILER;
  }

  /** Parses `serialize()` output; throws an Error describing the first problem on malformed input. */
  static deserialize(bytes: Uint8Array): HyperLogLog {
    const fail = (why: string): never => {
      throw new Error(`HyperLogLog.deserialize: ${why}`);
    };
    const view = openChecked(bytes, 'HyperLogLog', MAGIC, VERSION, HEADER + TRAILER);
    const p = bytes[5];
    if (p < HLL_MIN_PRECISION || p > HLL_MAX_PRECISION) fail(`precision ${p} out of range`);
    if (bytes[7] !== 0) fail(`reserved byte is ${bytes[7]}`);
    const hll = new HyperLogLog(p);
    const m = hll.m;
    const maxRank = hll.maxRank;
    const regs = hll.registers;
    const encoding = bytes[6];
    if (encoding === DENSE) {
      if (bytes.length !== HEADER + m + TRAILER)
        fail(`length ${bytes.length}, expected ${HEADER + m + TRAILER} for p=${p}`);
      for (let i = 0; i < m; i++) {
        const r = bytes[HEADER + i];
        if (r > maxRank) fail(`register ${i} = ${r} exceeds ${maxRank}`);
        regs[i] = r;
      }
    } else if (encoding === SPARSE) {
      if (bytes.length < HEADER + 4 + TRAILER) fail('truncated sparse body');
      const count = view.getUint32(HEADER, true);
      if (count > m) fail(`sparse count ${count} exceeds ${m} registers`);
      const expected = HEADER + 4 + 3 * count + TRAILER;
      if (bytes.length !== expected) fail(`length ${bytes.length}, expected ${expected} for ${count} sparse registers`);
      let previous = -1;
      for (let n = 0, o = HEADER + 4; n < count; n++, o += 3) {
        const index = view.getUint16(o, true);
        const r = bytes[o + 2];
        if (index <= previous || index >= m) fail(`sparse entry ${n}: index ${index} out of order or range`);
        if (r < 1 || r > maxRank) fail(`sparse entry ${n}: register value ${r} out of range 1..${maxRank}`);
        regs[index] = r;
        previous = index;
      }
    } else {
      fail(`unknown encoding ${encoding}`);
    }
    return hll;
  }
}

/** Ertl's sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1); infinite at x = 1 (all registers empty). */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (z === previous) return z;
  }
}

/** Ertl's tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
    if (z === previous) return z / 3;
  }
}
