/**
 * The last `capacity` interval starts whose merge was written and then let go, oldest forgotten
 * first: a set with a fixed bound (a ring of starts and a Set to look them up).
 */
export class ClosedIntervals {
  private readonly ring: Float64Array;
  private readonly members = new Set<number>();
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(Math.max(1, capacity));
  }

  add(start: number): void {
    if (this.members.has(start)) return;
    if (this.members.size === this.ring.length) this.members.delete(this.ring[this.next]);
    this.ring[this.next] = start;
    this.next = (this.next + 1) % this.ring.length;
    this.members.add(start);
  }

  has(start: number): boolean {
    return this.members.has(start);
  }

  get size(): number {
    return this.members.size;
  }
}
