/** Seeded randomness and checks shared by the traffic tests (not exported from the package). */

/** Deterministic PRNG (mulberry32): uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sampler of ranks 0..universe-1 with P(rank r) proportional to 1/(r+1)^s. */
export function zipf(universe: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(universe);
  let total = 0;
  for (let r = 0; r < universe; r++) {
    total += 1 / Math.pow(r + 1, s);
    cdf[r] = total;
  }
  return () => {
    const u = random() * total;
    let lo = 0;
    let hi = universe - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Plain assertion for hot loops (expect() per item would dominate the run time). */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
