/** Where the mix's choices come from: Math.random, or anything else uniform in [0, 1). */
export type Random = () => number;

/** A whole number in [min, max]. */
export function between(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
