import type { Aggregate } from './rule-schema.js';

/** One interval of one group: `a` the metric (or numerator), `b` the denominator (or 1), `n` the summaries in it. */
export interface Bucket {
  start: number;
  end: number;
  a: number;
  b: number;
  n: number;
}

/** Sums of the buckets ending in (from, to]; `n` how many. Written into by `sumWindow`. */
export interface WindowSums {
  a: number;
  b: number;
  maxA: number;
  n: number;
}

export function sumWindow(buckets: readonly Bucket[], from: number, to: number, into: WindowSums): WindowSums {
  into.a = 0;
  into.b = 0;
  into.maxA = -Infinity;
  into.n = 0;
  for (let i = buckets.length - 1; i >= 0; i--) {
    const bucket = buckets[i];
    if (bucket.end <= from) break;
    if (bucket.end > to) continue;
    into.a += bucket.a;
    into.b += bucket.b;
    if (bucket.a > into.maxA) into.maxA = bucket.a;
    into.n++;
  }
  return into;
}

/** avg, max or sum of `a` over the window; null when no bucket falls in it. */
export function aggregateOf(sums: WindowSums, aggregate: Aggregate): number | null {
  if (sums.n === 0) return null;
  if (aggregate === 'sum') return sums.a;
  if (aggregate === 'max') return sums.maxA;
  return sums.a / sums.n;
}

/** Drops buckets ending at or before `keepAfter`, and the oldest beyond `max`; returns how many beyond `max`. */
export function pruneBuckets(buckets: Bucket[], keepAfter: number, max: number): number {
  let drop = 0;
  while (drop < buckets.length && buckets[drop].end <= keepAfter) drop++;
  const excess = Math.max(0, buckets.length - drop - max);
  if (drop + excess > 0) buckets.splice(0, drop + excess);
  return excess;
}
