import type { JsMsg } from '@nats-io/jetstream';
import { fleetTopLines } from '@wirewatch/influx';
import { FleetWindows, RejectionLog, decodeSummary } from '@wirewatch/protocol';

export interface FleetMergeOptions {
  topN: number;
  /** How long after an interval's first summary the merge waits for the other sensors. */
  graceMs: number;
  write: (lines: string[]) => Promise<void>;
  onWriteError: (error: unknown) => void;
  /** Logged once: a sensor's sketch sizes differ from the fleet's, so its summaries are left out of the merge. */
  onFirstShapeMismatch?: (subject: string) => void;
}

/**
 * Fleet-wide top lists: every summary's sketches merged per interval, written as `fleet_top` points,
 * and only then acknowledged. Runs on the one collector replica that holds the fleet lease, fed by
 * its own durable consumer, so the merge sees every sensor (a summary consumer shared by replicas
 * would hand each replica only part of the fleet).
 */
export class FleetMerge {
  readonly windows: FleetWindows<JsMsg>;
  intervalsWritten = 0;
  duplicates = 0;
  /**
   * Summaries left out of the merge, by reason, acknowledged: those failing validation (the summary
   * consumer dead-letters them) and `shape`, sketch sizes that differ from the interval's.
   */
  readonly skipped = new RejectionLog();
  private flushing = false;

  constructor(private readonly options: FleetMergeOptions) {
    this.windows = new FleetWindows(options.graceMs, 10 * 60_000);
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
      const added = this.windows.add(d.message, d.sketches, m, now);
      if (added === 'duplicate') {
        this.duplicates++;
        m.ack();
      } else if (added === 'shape') {
        if (this.skipped.record({ kind: 'shape', detail: 'sketch sizes differ from the interval' })) this.options.onFirstShapeMismatch?.(m.subject);
        m.ack();
      }
    }
  }

  /** Writes the intervals whose grace ran out; a failed write puts them back for the next flush. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      const now = Date.now();
      for (const interval of this.windows.takeDue(now)) {
        try {
          await this.options.write(fleetTopLines(interval.start, interval.sketches.topLists(this.options.topN), interval.summaries));
          for (const m of interval.tokens) m.ack();
          this.intervalsWritten++;
        } catch (error) {
          this.options.onWriteError(error);
          this.windows.retry(interval, Date.now());
        }
      }
      this.windows.forgetOld(now);
    } finally {
      this.flushing = false;
    }
  }
}
