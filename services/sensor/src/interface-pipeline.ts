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
  private readonly decoded = new DecodedPacket();
  private readonly summarizer: SketchSummarizer;
  private readonly window: IntervalWindow;
  private lastKernelDropped = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PipelineOptions) {
    this.name = options.source.name;
    this.summarizer = new SketchSummarizer(options.sketch);
    this.window = new IntervalWindow(options.intervalMs);
  }

  /** Captures until the source ends or stops; the last (partial) interval is emitted at the end. */
  async run(): Promise<void> {
    this.running = true;
    if (this.options.clock === 'wall') {
      this.window.openAt(Date.now());
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

  private onPacket(record: CaptureRecord): void {
    const timeMs = record.timestamp * 1000;
    const window = this.window;
    if (!window.isOpen) window.openAt(timeMs);
    else if (timeMs >= window.end) {
      this.closeWindow();
      window.openAt(timeMs);
    } else if (timeMs < window.start) window.late++;
    const d = this.decoded;
    decodeRecord(d, record);
    this.summarizer.add(d);
    this.packets++;
    this.bytes += record.origLen;
    if (d.error !== 0) this.decodeErrors++;
    this.options.rotator?.write(record);
  }

  private onTick(): void {
    const window = this.window;
    while (window.isOpen && Date.now() >= window.end + CLOSE_GRACE_MS) {
      const end = window.end;
      this.closeWindow();
      window.openAt(end);
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
