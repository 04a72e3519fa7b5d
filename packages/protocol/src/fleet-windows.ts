import type { SummarySketches } from './summary-sketches.js';
import type { SummaryMessage } from './summary-message.js';

/** One interval's fleet-wide merge: every sensor summary for [start, end) seen so far. */
export interface FleetInterval<T> {
  start: number;
  end: number;
  sketches: SummarySketches;
  /** Distinct summaries merged (sensor × interface). */
  summaries: number;
  /** Whatever the caller attached to each merged message (e.g. the JetStream message to ack). */
  tokens: T[];
}

interface Open<T> extends FleetInterval<T> {
  seen: Set<string>;
  dueAt: number;
}

/**
 * 'merged': counted into its interval; 'held': a redelivery of a summary already merged into an
 * interval still open (its token waits with the interval); 'duplicate': already merged and written
 * (ack it now); 'shape': its sketch sizes differ from the interval's (a sensor configured with
 * another capacity or precision), so it cannot be merged (ack it now, count it).
 */
export type AddResult = 'merged' | 'held' | 'duplicate' | 'shape';

/**
 * Merges sensors' summaries by interval for the fleet-wide top lists. An interval is due `graceMs`
 * after its first summary arrived (arrival time, not the interval's own time: replays of old
 * captures work the same as live traffic). A summary that arrives after its interval was flushed is
 * merged into the retained merge and the interval is due again at once (its points are rewritten,
 * overwriting the earlier ones). Beyond `retainMs` (or after another collector took over the merge)
 * the retained merge is gone and a very late summary starts its interval afresh: docs/influxdb-schema.md.
 */
export class FleetWindows<T> {
  private readonly open = new Map<number, Open<T>>();
  private readonly flushed = new Map<number, Open<T> & { flushedAt: number }>();

  constructor(
    private readonly graceMs: number,
    private readonly retainMs: number,
  ) {}

  add(message: SummaryMessage, sketches: SummarySketches, token: T, nowMs: number): AddResult {
    const id = `${message.sensor}/${message.run}/${message.seq}`;
    const retained = this.flushed.get(message.start);
    if (retained && !this.open.has(message.start)) {
      if (retained.seen.has(id)) return 'duplicate';
      if (!retained.sketches.sameShape(sketches)) return 'shape';
      this.flushed.delete(message.start);
      retained.tokens = [];
      retained.dueAt = nowMs;
      this.open.set(message.start, retained);
    }
    let w = this.open.get(message.start);
    if (!w) {
      w = { start: message.start, end: message.end, sketches: sketches.clone(), summaries: 0, tokens: [], seen: new Set(), dueAt: nowMs + this.graceMs };
      this.open.set(message.start, w);
    } else {
      if (w.seen.has(id)) {
        w.tokens.push(token);
        return 'held';
      }
      if (!w.sketches.sameShape(sketches)) return 'shape';
      w.sketches.merge(sketches);
    }
    w.seen.add(id);
    w.summaries++;
    w.tokens.push(token);
    return 'merged';
  }

  /** Intervals ready to write; they move to the retained set (call `forgetOld` now and then). */
  takeDue(nowMs: number): FleetInterval<T>[] {
    const due: FleetInterval<T>[] = [];
    for (const [start, w] of this.open) {
      if (w.dueAt > nowMs) continue;
      this.open.delete(start);
      this.flushed.set(start, { ...w, flushedAt: nowMs });
      due.push({ start: w.start, end: w.end, sketches: w.sketches, summaries: w.summaries, tokens: w.tokens });
    }
    return due;
  }

  /** Puts back an interval whose write failed, so it is retried (with its tokens) on the next pass. */
  retry(interval: FleetInterval<T>, nowMs: number): void {
    const retained = this.flushed.get(interval.start);
    if (!retained) return;
    this.flushed.delete(interval.start);
    const reopened = this.open.get(interval.start);
    if (reopened) {
      reopened.tokens.push(...interval.tokens);
      return;
    }
    this.open.set(interval.start, { ...retained, tokens: interval.tokens, dueAt: nowMs + 1000 });
  }

  forgetOld(nowMs: number): void {
    for (const [start, w] of this.flushed) if (nowMs - w.flushedAt > this.retainMs) this.flushed.delete(start);
  }

  get openIntervals(): number {
    return this.open.size;
  }
}
