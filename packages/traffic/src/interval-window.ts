/** What a wall-clock window did on moving past the interval it closed. */
export type WindowStep =
  /** The next interval follows the closed one: no gap. */
  | { kind: 'next' }
  /** The clock is more than `maxFill` intervals ahead: the intervals in [from, to) are skipped, reported once. */
  | { kind: 'gap'; from: number; to: number; intervals: number };

/**
 * The current summary interval of one interface: [start, end) in ms, aligned to multiples of the
 * interval so every sensor's intervals line up in time (and points from several sensors share
 * timestamps in InfluxDB).
 */
export class IntervalWindow {
  start = -1;
  end = -1;
  /** Frames stamped before `start` (a clock step, or late delivery) counted into this interval anyway. */
  late = 0;

  /**
   * @param maxFill how many whole intervals a wall-clock window may fall behind and still step through
   *   them one by one (a stalled process: each becomes an interval of its own); further behind, `follow`
   *   jumps to the present and reports one gap, so a clock stepped forward by years costs O(1).
   */
  constructor(
    readonly intervalMs: number,
    readonly maxFill = 10,
  ) {}

  get isOpen(): boolean {
    return this.start >= 0;
  }

  openAt(timeMs: number): void {
    this.start = Math.floor(timeMs / this.intervalMs) * this.intervalMs;
    this.end = this.start + this.intervalMs;
    this.late = 0;
  }

  /**
   * Opens the interval after one that ended at `closedEnd`, given the time now: the next one in line,
   * or, when `nowMs` is more than `maxFill` intervals past it, the interval holding `nowMs`.
   */
  follow(closedEnd: number, nowMs: number): WindowStep {
    const present = Math.floor(nowMs / this.intervalMs) * this.intervalMs;
    const behind = (present - closedEnd) / this.intervalMs;
    if (behind <= this.maxFill) {
      this.openAt(closedEnd);
      return { kind: 'next' };
    }
    this.openAt(present);
    return { kind: 'gap', from: closedEnd, to: present, intervals: Math.round(behind) };
  }

  /**
   * True when the clock reads more than one interval before this interval's start: it was stepped
   * back, and waiting for it to reach `end` again would hold the interval open that long.
   */
  steppedBack(nowMs: number): boolean {
    return this.isOpen && nowMs < this.start - this.intervalMs;
  }

  close(): void {
    this.start = this.end = -1;
    this.late = 0;
  }
}
