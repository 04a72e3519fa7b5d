import type { Rejection } from './codec.js';

/**
 * Counts rejected messages by kind and says whether a kind is new, so a flood of one malformed
 * message type is logged once, not once per message, while every rejection is still counted.
 */
export class RejectionLog {
  private readonly counts = new Map<string, number>();

  /** Counts `rejection`; true the first time its kind is seen (the caller logs then). */
  record(rejection: Rejection): boolean {
    const n = this.counts.get(rejection.kind) ?? 0;
    this.counts.set(rejection.kind, n + 1);
    return n === 0;
  }

  byKind(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
}
