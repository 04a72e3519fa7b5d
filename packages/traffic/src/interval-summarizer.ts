import type { DecodedPacket } from '@wirewatch/packet';
import { IntervalWindow } from './interval-window.js';
import type { TrafficSummarizer } from './summarizer.js';

/** A closed interval [start, end) in ms and what its summarizer counted over it. */
export interface ClosedInterval<S extends TrafficSummarizer> {
  start: number;
  end: number;
  /** Frames stamped before `start` (a clock step, or late delivery) counted into this interval anyway. */
  late: number;
  /** Read it during the callback: it is reset once the callback returns (except after `finish`). */
  summarizer: S;
}

/** A step of the wall clock as the window saw it. */
export interface ClockStep {
  direction: 'forward' | 'backward';
  /** Forward: the first skipped ms and the start of the interval opened; backward: the open interval's start and the clock's reading. */
  from: number;
  to: number;
  /** Forward: intervals skipped without a summary. */
  skippedIntervals: number;
}

/**
 * When intervals close:
 * - 'wall': on the wall clock (live capture; `tick` drives it), and every interval is closed, even an
 *   empty one; frames stamped ahead close the intervals up to theirs.
 * - 'packets': when a frame stamped at or past the interval's end arrives, or at `finish` (replays,
 *   `analyze --rules`); only intervals that saw a frame exist.
 * - 'whole': at `finish` only, even when empty: one interval, from the first frame to the last (`analyze`).
 */
export type IntervalClock = 'wall' | 'packets' | 'whole';

export type IntervalOptions<S extends TrafficSummarizer> = (
  | {
      clock: 'wall' | 'packets';
      /** Interval length in ms. */
      intervalMs: number;
    }
  | { clock: 'whole' }
) &
  IntervalHandlers<S>;

export interface IntervalHandlers<S extends TrafficSummarizer> {
  onClose: (interval: ClosedInterval<S>) => void;
  /** Wall clock only: called when the clock was stepped (forward: a span without summaries; backward: an interval closed early). */
  onClockStep?: (step: ClockStep) => void;
  /** Wall clock: whole intervals the window may fall behind and still close one by one (see IntervalWindow). */
  maxFill?: number;
  /** Wall clock: how long past an interval's end `tick` waits for late frames still in flight. Default 150 ms. */
  closeGraceMs?: number;
}

const DEFAULT_CLOSE_GRACE_MS = 150;

/**
 * The per-interval summary of one stream of decoded frames: a summarizer and the window that cuts
 * its input into aligned intervals. The sensor (clock 'wall' live, 'packets' on a replay),
 * `analyze --rules` ('packets': the same intervals a replaying sensor makes) and `analyze`
 * ('whole') all count through it. Counting a frame allocates nothing beyond what the summarizer does.
 */
export class IntervalSummarizer<S extends TrafficSummarizer> {
  /** Wall-clock steps seen, by direction, and the ms skipped without summaries by forward ones. */
  readonly clockSteps = { forward: 0, backward: 0, skippedMs: 0 };
  private readonly window: IntervalWindow;
  private readonly clock: IntervalClock;
  private readonly graceMs: number;
  /** Clock 'whole': the first and last frame times (ms). */
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    readonly summarizer: S,
    private readonly options: IntervalOptions<S>,
  ) {
    this.clock = options.clock;
    this.window = new IntervalWindow(options.clock === 'whole' ? 1 : options.intervalMs, options.maxFill);
    if (options.clock === 'whole') this.window.openAt(0);
    this.graceMs = options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  }

  /** The interval being filled and its counters so far (null between intervals). */
  openCounts(): { start: number; end: number; packets: number; bytes: number } | null {
    const w = this.window;
    if (!w.isOpen) return null;
    const c = this.summarizer.counters;
    return { ...this.bounds(), packets: c.packets, bytes: c.bytes };
  }

  /** Wall clock: opens the interval holding `nowMs`, before any frame arrives. */
  start(nowMs: number): void {
    if (!this.window.isOpen) this.window.openAt(nowMs);
  }

  /** Counts a decoded frame into the interval of its timestamp; returns its class (see PROTOCOL_CLASSES). */
  add(d: DecodedPacket): number {
    const timeMs = d.timestamp * 1000;
    const window = this.window;
    if (this.clock === 'whole') {
      if (timeMs < this.first) this.first = timeMs;
      if (timeMs > this.last) this.last = timeMs;
    } else if (!window.isOpen) window.openAt(timeMs);
    else if (timeMs >= window.end) {
      if (this.clock === 'wall') this.catchUp(timeMs);
      else {
        this.close(true);
        window.openAt(timeMs);
      }
    } else if (timeMs < window.start) window.late++;
    return this.summarizer.add(d);
  }

  /** Wall clock, called every 100 ms or so: closes the interval once the clock passed its end (plus the grace). */
  tick(nowMs: number): void {
    const window = this.window;
    if (window.steppedBack(nowMs)) {
      // Waiting for the clock to come back to this interval's end would hold it open (and stall summaries) that long.
      const from = window.start;
      this.close(true);
      window.openAt(nowMs);
      this.clockSteps.backward++;
      this.options.onClockStep?.({ direction: 'backward', from, to: nowMs, skippedIntervals: 0 });
      return;
    }
    this.catchUp(nowMs - this.graceMs);
  }

  /**
   * Closes the last interval: on a wall clock and for 'whole' always, on 'packets' when it saw a
   * frame. Its summarizer is left as it is (not reset), for whoever reads more of it after the input ended.
   */
  finish(): void {
    if (this.window.isOpen && (this.clock !== 'packets' || this.summarizer.counters.packets > 0)) this.close(false);
  }

  /**
   * Closes intervals up to the one holding `timeMs`: one by one for a short stall, in one step with one
   * gap reported when the clock jumped ahead (a day of 1 s intervals is one gap, not 86,400 summaries).
   */
  private catchUp(timeMs: number): void {
    const window = this.window;
    while (window.isOpen && timeMs >= window.end) {
      const end = window.end;
      this.close(true);
      const step = window.follow(end, timeMs);
      if (step.kind === 'gap') {
        this.clockSteps.forward++;
        this.clockSteps.skippedMs += step.to - step.from;
        this.options.onClockStep?.({
          direction: 'forward',
          from: step.from,
          to: step.to,
          skippedIntervals: step.intervals,
        });
      }
    }
  }

  /** The open interval's [start, end); for 'whole', from the first frame's ms to just past the last's (0, 0 before any). */
  private bounds(): { start: number; end: number } {
    if (this.clock !== 'whole') return { start: this.window.start, end: this.window.end };
    return this.last < this.first
      ? { start: 0, end: 0 }
      : { start: Math.floor(this.first), end: Math.floor(this.last) + 1 };
  }

  private close(reset: boolean): void {
    const w = this.window;
    this.options.onClose({ ...this.bounds(), late: w.late, summarizer: this.summarizer });
    if (reset) this.summarizer.reset();
    w.close();
  }
}
