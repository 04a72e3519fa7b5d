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

  constructor(readonly intervalMs: number) {}

  get isOpen(): boolean {
    return this.start >= 0;
  }

  openAt(timeMs: number): void {
    this.start = Math.floor(timeMs / this.intervalMs) * this.intervalMs;
    this.end = this.start + this.intervalMs;
    this.late = 0;
  }

  close(): void {
    this.start = this.end = -1;
    this.late = 0;
  }
}
