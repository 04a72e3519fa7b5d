import type { JsMsg } from '@nats-io/jetstream';
import { dataRefusalKind, fleetTopLines, isDataRefusal } from '@wirewatch/influx';
import {
  FleetWindows,
  RejectionLog,
  decodeSummary,
  sketchShape,
  type FleetInterval,
  type FleetWindowsLimits,
  type SketchShape,
} from '@wirewatch/protocol';

/** Intervals written per InfluxDB request. */
const INTERVALS_PER_WRITE = 50;

export interface FleetMergeOptions {
  topN: number;
  /** How long after an interval's first summary the merge waits for the other sensors. */
  graceMs: number;
  /** The consumer's ack wait: messages held for a write are extended (`+WPI`) well inside it. */
  ackWaitMs: number;
  /** The one sketch shape merged (`fleet.sketch`); summaries of another are left out. */
  shape: SketchShape;
  write: (lines: string[]) => Promise<void>;
  onWriteError: (error: unknown) => void;
  /** Logged once: a summary's sketch sizes differ from the fleet's, so it is left out of the merge. */
  onFirstShapeMismatch?: (subject: string, shape: SketchShape) => void;
  /** Logged once: a summary of an interval already written and let go is left out of the merge. */
  onFirstClosed?: (subject: string, start: number) => void;
  /** The memory cap (intervals and estimated bytes, open and retained together): DEFAULT_FLEET_LIMITS unless given. */
  limits?: Partial<Pick<FleetWindowsLimits<JsMsg>, 'maxIntervals' | 'maxBytes'>>;
  /** Logged once: the cap was reached, so retained merges are dropped early and open intervals written early. */
  onFirstCapReached?: (held: { intervals: number; bytes: number }) => void;
}

/**
 * Fleet-wide top lists: every summary's sketches merged per interval, written as `fleet_top` points,
 * and only then acknowledged. Runs on the one collector replica that holds the fleet lease, fed by
 * its own durable consumer, so the merge sees every sensor (a summary consumer shared by replicas
 * would hand each replica only part of the fleet). The messages it holds are extended (`extendHeld`)
 * until their interval is written, so JetStream hands none out again meanwhile.
 */
export class FleetMerge {
  readonly windows: FleetWindows<JsMsg>;
  intervalsWritten = 0;
  duplicates = 0;
  /**
   * Summaries left out of the merge, by reason, acknowledged: those failing validation (the summary
   * consumer dead-letters them), `shape` (sketch sizes other than the fleet's), `interval_closed`
   * (its interval written and let go), `influx_<kind>` (InfluxDB refused the interval's points).
   */
  readonly skipped = new RejectionLog();
  private flushing: Promise<boolean> | undefined;
  private capReported = false;
  private lastExtendedAt = 0;

  constructor(private readonly options: FleetMergeOptions) {
    // A message's payload stays in memory until its interval is written and it is acknowledged.
    this.windows = new FleetWindows(options.graceMs, 10 * 60_000, {
      ...options.limits,
      shape: options.shape,
      tokenBytes: (m) => m.data.length,
    });
  }

  /** Retained merges dropped before their ten minutes to stay under the memory cap. */
  get retainedDropped(): number {
    return this.windows.retainedDropped;
  }

  /** Intervals written before their grace ran out to stay under the memory cap. */
  get flushedEarly(): number {
    return this.windows.flushedEarly;
  }

  /** Adds a batch; messages are acknowledged when their interval is written. */
  async handle(batch: JsMsg[]): Promise<void> {
    const now = Date.now();
    for (const m of batch) {
      const d = decodeSummary(m.data, m.subject);
      if (!d.ok) {
        this.skipped.record(d.rejection);
        m.ack();
        continue;
      }
      // Decoded for this merge alone: the first summary of an interval becomes its merge.
      const added = this.windows.add(d.message, d.sketches, m, now, true);
      if (added === 'duplicate') {
        this.duplicates++;
        m.ack();
      } else if (added === 'shape') {
        const shape = sketchShape(d.sketches);
        if (
          this.skipped.record({
            kind: 'shape',
            detail: `sketch sizes ${shape.capacity}/${shape.precision} differ from the fleet's`,
          })
        )
          this.options.onFirstShapeMismatch?.(m.subject, shape);
        m.ack();
      } else if (added === 'closed') {
        if (this.skipped.record({ kind: 'interval_closed', detail: 'its interval was written and its merge let go' }))
          this.options.onFirstClosed?.(m.subject, d.message.start);
        m.ack();
      }
      // Over the cap (a fast replay of a long capture): the oldest are written before the next
      // summary is taken, so the merge never holds more than the cap and one interval.
      while (this.windows.overCap) {
        this.reportCap();
        if (!(await this.flush())) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /**
   * Tells JetStream the messages held for a write are still being worked on, every third of the ack
   * wait (call it often): none is redelivered while its interval waits for its grace period, a
   * retried write or the memory cap, so none spends deliveries towards max_deliver.
   */
  extendHeld(nowMs: number): void {
    if (nowMs - this.lastExtendedAt < this.options.ackWaitMs / 3) return;
    this.lastExtendedAt = nowMs;
    for (const m of this.windows.heldTokens()) {
      try {
        m.working();
      } catch {
        // Not connected: JetStream redelivers it after ack_wait, and the merge holds the redelivery too.
      }
    }
  }

  /**
   * Writes the intervals whose grace ran out (and, over the cap, the oldest); a failed write puts
   * them back for the next flush. Resolves with whether every write went through; a call while a
   * flush runs shares it.
   */
  flush(): Promise<boolean> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<boolean> {
    const now = Date.now();
    const due = this.windows.takeDue(now);
    if (this.windows.retainedDropped > 0 || this.windows.flushedEarly > 0) this.reportCap();
    let ok = true;
    // Several intervals per request: a fast replay makes thousands due within seconds.
    for (let i = 0; i < due.length; i += INTERVALS_PER_WRITE) {
      const chunk = due.slice(i, i + INTERVALS_PER_WRITE);
      const lines = chunk.map((interval) => this.linesOf(interval));
      try {
        await this.options.write(lines.flat());
        for (const interval of chunk) for (const m of this.windows.settle(interval, Date.now())) m.ack();
        this.intervalsWritten += chunk.length;
      } catch (error) {
        ok = false;
        this.options.onWriteError(error);
        if (isDataRefusal(error)) await this.writeEachAlone(chunk, lines);
        else for (const interval of chunk) this.windows.retry(interval, Date.now());
      }
    }
    this.windows.forgetOld(now);
    return ok;
  }

  private linesOf(interval: FleetInterval<JsMsg>): string[] {
    return fleetTopLines(interval.start, interval.sketches.topLists(this.options.topN), interval.summaries);
  }

  /**
   * InfluxDB refused a chunk for its data (an interval past 2262, beyond the retention policy...): each
   * interval written alone; one refused alone is left out (its summaries terminated, counted in
   * `skipped` as `influx_<kind>`; the summary consumer dead-letters those summaries itself), never retried forever.
   */
  private async writeEachAlone(chunk: FleetInterval<JsMsg>[], lines: string[][]): Promise<void> {
    for (const [k, interval] of chunk.entries()) {
      try {
        await this.options.write(lines[k]);
        for (const m of this.windows.settle(interval, Date.now())) m.ack();
        this.intervalsWritten++;
      } catch (error) {
        if (!isDataRefusal(error)) {
          this.windows.retry(interval, Date.now());
          continue;
        }
        for (const m of this.windows.settle(interval, Date.now())) {
          m.term();
          this.skipped.record({
            kind: `influx_${dataRefusalKind(error.serverSaid ?? error.message)}`,
            detail: error.message,
          });
        }
      }
    }
  }

  private reportCap(): void {
    if (this.capReported) return;
    this.capReported = true;
    this.options.onFirstCapReached?.({
      intervals: this.windows.openIntervals + this.windows.writingIntervals + this.windows.retainedIntervals,
      bytes: this.windows.heldBytes,
    });
  }
}
