import { openCaptureFile, type RecordReader } from '@wirewatch/packet';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { CaptureError } from './errors.js';
import type { CaptureRecord, PacketSource, SourceStats } from './packet-source.js';

export interface FileReplayOptions {
  path: string;
  /** 'max': as fast as possible; 'realtime': at the recorded pace; a number: that many times the recorded pace. Default 'max'. */
  speed?: 'max' | 'realtime' | number;
  /**
   * Flow control: asked at every yield; while it returns a promise the replay waits for it. A replay
   * can outrun what downstream can send (thousands of intervals a second at 'max'); unlike a live
   * interface it can simply wait, so nothing has to be dropped.
   */
  backpressure?: () => Promise<void> | null;
}

/** Longest stretch of delivery without letting timers and I/O run. */
const SLICE_MS = 4;
/** Records delivered between two looks at the clock. */
const CLOCK_EVERY = 64;

/**
 * Replays a PCAP or PCAPNG file as a packet source. Records are the reader's own (zero copy): the
 * timestamp is the recorded one. At any speed the replay yields to the event loop at least every
 * few milliseconds, so timers, network I/O and HTTP go on; paced replays sleep on timers (no busy
 * wait) until each record is due, measured from the instant the replay started, so lateness does
 * not accumulate.
 */
export class FileReplay implements PacketSource {
  readonly name: string;
  /** Set after the run if reading stopped early at a record cut short or corrupt (see `warnings`). */
  truncated = false;
  /** The reader's warnings, after the run. */
  warnings: readonly string[] = [];
  private readonly path: string;
  /** Recorded seconds per second of replay; 0 for 'max'. */
  private readonly pace: number;
  private delivered = 0;
  private stopped = false;
  private wake: AbortController | null = null;
  private readonly backpressure: (() => Promise<void> | null) | undefined;

  constructor(options: FileReplayOptions) {
    this.path = options.path;
    this.name = options.path;
    this.backpressure = options.backpressure;
    const speed = options.speed ?? 'max';
    if (speed === 'max') this.pace = 0;
    else if (speed === 'realtime') this.pace = 1;
    else if (typeof speed === 'number' && Number.isFinite(speed) && speed > 0) this.pace = speed;
    else
      throw new CaptureError(`replay speed must be 'max', 'realtime' or a positive multiplier, not ${String(speed)}`);
  }

  /** Rejects with the reader's one-line CaptureFormatError when the file is missing or not a capture. */
  async run(onPacket: (record: CaptureRecord) => void): Promise<void> {
    const reader = openCaptureFile(this.path);
    try {
      if (this.pace === 0) await this.deliverAtMaxSpeed(reader, onPacket);
      else await this.deliverPaced(reader, onPacket);
    } finally {
      reader.close();
      this.truncated = reader.truncated;
      this.warnings = [...reader.warnings];
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.abort();
  }

  stats(): SourceStats {
    return { received: this.delivered, kernelDropped: 0, interfaceDropped: 0 };
  }

  private async deliverAtMaxSpeed(reader: RecordReader, onPacket: (record: CaptureRecord) => void): Promise<void> {
    let sliceStart = performance.now();
    let n = 0;
    while (!this.stopped && reader.next()) {
      this.delivered++;
      onPacket(reader);
      if (++n % CLOCK_EVERY !== 0) continue;
      const wait = this.backpressure?.();
      if (wait) {
        await wait;
        sliceStart = performance.now();
      } else if (performance.now() - sliceStart >= SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
  }

  private async deliverPaced(reader: RecordReader, onPacket: (record: CaptureRecord) => void): Promise<void> {
    const start = performance.now();
    let firstTimestamp: number | null = null;
    let sliceStart = start;
    while (!this.stopped && reader.next()) {
      firstTimestamp ??= reader.timestamp;
      const due = start + ((reader.timestamp - firstTimestamp) * 1000) / this.pace;
      const now = performance.now();
      if (due > now) {
        // The reader's record stays valid while we sleep: nothing reads the file meanwhile.
        await this.sleepUntil(due);
        if (this.stopped) break;
        sliceStart = performance.now();
      } else if (now - sliceStart >= SLICE_MS) {
        await yieldToEventLoop(); // a backlog of due records must not starve the event loop either
        await this.backpressure?.();
        sliceStart = performance.now();
      }
      this.delivered++;
      onPacket(reader);
    }
  }

  private async sleepUntil(due: number): Promise<void> {
    this.wake = new AbortController();
    try {
      // A timer fires late by up to a millisecond or so; each record's due time is computed from
      // the start again, so that lateness does not add up over the replay.
      await sleep(Math.max(1, Math.ceil(due - performance.now())), undefined, { signal: this.wake.signal });
    } catch {
      // aborted by stop()
    } finally {
      this.wake = null;
    }
  }
}
