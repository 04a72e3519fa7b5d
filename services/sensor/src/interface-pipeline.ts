import type { CaptureRecord, PacketSource, PcapRotator } from '@wirewatch/capture';
import { DecodedPacket, decodeRecord } from '@wirewatch/packet';
import { IntervalWindow, SketchSummarizer, type SketchOptions } from '@wirewatch/traffic';

/** A closed interval of one interface, ready to become a summary message. */
export interface ClosedInterval {
  interface: string;
  start: number;
  end: number;
  late: number;
  kernelDropped: number | null;
  summarizer: SketchSummarizer;
}

export interface PipelineOptions {
  source: PacketSource;
  intervalMs: number;
  sketch: SketchOptions;
  /**
   * 'wall': live capture, intervals close on the wall clock and every interval is emitted, even an
   * empty one; 'packets': replay, intervals close when a later packet arrives or the file ends.
   */
  clock: 'wall' | 'packets';
  rotator?: PcapRotator;
  /** Called with each closed interval; the summarizer is reset right after it returns. */
  emit: (interval: ClosedInterval) => void;
  /** Called when the wall clock was stepped (live capture only): forward, a span without summaries; backward, an interval closed early. */
  onClockStep?: (step: ClockStep) => void;
  /** The wall clock, ms since the epoch (tests pass their own). */
  now?: () => number;
}

/** A step of the wall clock as one interface's window saw it. */
export interface ClockStep {
  interface: string;
  direction: 'forward' | 'backward';
  /** Forward: the first skipped ms and the start of the interval opened; backward: the open interval's start and the clock's reading. */
  from: number;
  to: number;
  /** Forward: intervals skipped without a summary. */
  skippedIntervals: number;
}

/** Lets wall-clock intervals take late frames still in flight before closing. */
const CLOSE_GRACE_MS = 150;

/** One interface's path: frames → decoder → interval summarizer (+ optional PCAP copy) → closed intervals. */
export class InterfacePipeline {
  readonly name: string;
  packets = 0;
  bytes = 0;
  decodeErrors = 0;
  running = false;
  /** Wall-clock steps seen, by direction, and the ms skipped without summaries by forward ones. */
  readonly clockSteps = { forward: 0, backward: 0, skippedMs: 0 };
  private readonly decoded = new DecodedPacket();
  private readonly summarizer: SketchSummarizer;
  private readonly window: IntervalWindow;
  private lastKernelDropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PipelineOptions) {
    this.name = options.source.name;
    this.summarizer = new SketchSummarizer(options.sketch);
    this.window = new IntervalWindow(options.intervalMs);
    this.now = options.now ?? Date.now;
  }

  /** Captures until the source ends or stops; the last (partial) interval is emitted at the end. */
  async run(): Promise<void> {
    this.running = true;
    if (this.options.clock === 'wall') {
      this.window.openAt(this.now());
      this.timer = setInterval(() => this.onTick(), Math.min(100, this.options.intervalMs / 4));
    }
    try {
      await this.options.source.run((record) => this.onPacket(record));
    } finally {
      this.running = false;
      if (this.timer) clearInterval(this.timer);
      if (this.window.isOpen && (this.options.clock === 'wall' || this.summarizer.counters.packets > 0)) this.closeWindow();
    }
  }

  stop(): void {
    this.options.source.stop();
  }

  /** The interval being filled and its counters so far (null between intervals): what a run checkpoint records. */
  openCounts(): { start: number; end: number; packets: number; bytes: number } | null {
    const w = this.window;
    if (!w.isOpen) return null;
    const c = this.summarizer.counters;
    return { start: w.start, end: w.end, packets: c.packets, bytes: c.bytes };
  }

  private onPacket(record: CaptureRecord): void {
    const timeMs = record.timestamp * 1000;
    const window = this.window;
    if (!window.isOpen) window.openAt(timeMs);
    else if (timeMs >= window.end) {
      if (this.options.clock === 'wall') this.catchUp(timeMs);
      else {
        this.closeWindow();
        window.openAt(timeMs);
      }
    } else if (timeMs < window.start) window.late++;
    const d = this.decoded;
    decodeRecord(d, record);
    this.summarizer.add(d);
    this.packets++;
    this.bytes += record.origLen;
    if (d.error !== 0) this.decodeErrors++;
    this.options.rotator?.write(record);
  }

  /** Called every 100 ms or so on a live capture: closes the interval once the clock passed its end. */
  onTick(): void {
    const now = this.now();
    const window = this.window;
    if (window.steppedBack(now)) {
      // Waiting for the clock to come back to this interval's end would hold it open (and stall summaries) that long.
      const from = window.start;
      this.closeWindow();
      window.openAt(now);
      this.clockSteps.backward++;
      this.options.onClockStep?.({ interface: this.name, direction: 'backward', from, to: now, skippedIntervals: 0 });
      return;
    }
    this.catchUp(now - CLOSE_GRACE_MS);
  }

  /**
   * Closes intervals up to the one holding `timeMs`: one by one for a short stall, in one step with one
   * gap reported when the clock jumped ahead (a day of 1 s intervals is one gap, not 86,400 summaries).
   */
  private catchUp(timeMs: number): void {
    const window = this.window;
    while (window.isOpen && timeMs >= window.end) {
      const end = window.end;
      this.closeWindow();
      const step = window.follow(end, timeMs);
      if (step.kind === 'gap') {
        this.clockSteps.forward++;
        this.clockSteps.skippedMs += step.to - step.from;
        this.options.onClockStep?.({ interface: this.name, direction: 'forward', from: step.from, to: step.to, skippedIntervals: step.intervals });
      }
    }
  }

  /** Cumulative kernel drops for this capture, when the platform reports them. */
  get kernelDropped(): number | null {
    return this.options.source.stats().kernelDropped;
  }

  private closeWindow(): void {
    const w = this.window;
    const kernel = this.options.source.stats().kernelDropped;
    let kernelDropped: number | null = null;
    if (kernel !== null) {
      kernelDropped = Math.max(0, kernel - this.lastKernelDropped);
      this.lastKernelDropped = kernel;
    }
    this.options.emit({ interface: this.name, start: w.start, end: w.end, late: w.late, kernelDropped, summarizer: this.summarizer });
    this.summarizer.reset();
    w.close();
  }
}
