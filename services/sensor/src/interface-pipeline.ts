import type { CaptureRecord, PacketSource, PcapRotator } from '@wirewatch/capture';
import { DecodedPacket, decodeRecord } from '@wirewatch/packet';
import {
  IntervalSummarizer,
  SketchSummarizer,
  type ClockStep as WindowClockStep,
  type ClosedInterval as SummarizedInterval,
  type SketchOptions,
} from '@wirewatch/traffic';

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
export interface ClockStep extends WindowClockStep {
  interface: string;
}

/** One interface's path: frames → decoder → interval summarizer (+ optional PCAP copy) → closed intervals. */
export class InterfacePipeline {
  readonly name: string;
  packets = 0;
  bytes = 0;
  decodeErrors = 0;
  running = false;
  private readonly decoded = new DecodedPacket();
  private readonly intervals: IntervalSummarizer<SketchSummarizer>;
  private lastKernelDropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PipelineOptions) {
    this.name = options.source.name;
    this.now = options.now ?? Date.now;
    this.intervals = new IntervalSummarizer(new SketchSummarizer(options.sketch), {
      clock: options.clock,
      intervalMs: options.intervalMs,
      onClose: (interval) => this.emit(interval),
      onClockStep: (step) => options.onClockStep?.({ interface: this.name, ...step }),
    });
  }

  /** Wall-clock steps seen, by direction, and the ms skipped without summaries by forward ones. */
  get clockSteps(): { forward: number; backward: number; skippedMs: number } {
    return this.intervals.clockSteps;
  }

  /** Captures until the source ends or stops; the last (partial) interval is emitted at the end. */
  async run(): Promise<void> {
    this.running = true;
    if (this.options.clock === 'wall') {
      this.intervals.start(this.now());
      this.timer = setInterval(() => this.onTick(), Math.min(100, this.options.intervalMs / 4));
    }
    try {
      await this.options.source.run((record) => this.onPacket(record));
    } finally {
      this.running = false;
      if (this.timer) clearInterval(this.timer);
      this.intervals.finish();
    }
  }

  stop(): void {
    this.options.source.stop();
  }

  /** The interval being filled and its counters so far (null between intervals): what a run checkpoint records. */
  openCounts(): { start: number; end: number; packets: number; bytes: number } | null {
    return this.intervals.openCounts();
  }

  private onPacket(record: CaptureRecord): void {
    const d = this.decoded;
    decodeRecord(d, record);
    this.intervals.add(d);
    this.packets++;
    this.bytes += record.origLen;
    if (d.error !== 0) this.decodeErrors++;
    this.options.rotator?.write(record);
  }

  /** Called every 100 ms or so on a live capture: closes the interval once the clock passed its end. */
  onTick(): void {
    this.intervals.tick(this.now());
  }

  /** Cumulative kernel drops for this capture, when the platform reports them. */
  get kernelDropped(): number | null {
    return this.options.source.stats().kernelDropped;
  }

  private emit(interval: SummarizedInterval<SketchSummarizer>): void {
    const kernel = this.options.source.stats().kernelDropped;
    let kernelDropped: number | null = null;
    if (kernel !== null) {
      kernelDropped = Math.max(0, kernel - this.lastKernelDropped);
      this.lastKernelDropped = kernel;
    }
    this.options.emit({
      interface: this.name,
      start: interval.start,
      end: interval.end,
      late: interval.late,
      kernelDropped,
      summarizer: interval.summarizer,
    });
  }
}
