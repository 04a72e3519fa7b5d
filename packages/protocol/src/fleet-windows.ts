import type { SummarySketches } from './summary-sketches.js';
import type { SummaryMessage } from './summary-message.js';
import { estimateSketchBytes } from './sketch-size.js';

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
  /** Estimated bytes this interval holds (sketches, ids seen, tokens while open). */
  bytes: number;
  sketchBytes: number;
  tokenBytes: number;
}

/**
 * 'merged': counted into its interval; 'held': a redelivery of a summary already merged into an
 * interval still open (its token waits with the interval); 'duplicate': already merged and written
 * (ack it now); 'shape': its sketch sizes differ from the interval's (a sensor configured with
 * another capacity or precision), so it cannot be merged (ack it now, count it).
 */
export type AddResult = 'merged' | 'held' | 'duplicate' | 'shape';

/** How much the merge may hold at once, open and retained intervals together. */
export interface FleetWindowsLimits<T> {
  maxIntervals: number;
  /** Estimated bytes (estimateSketchBytes, plus the ids seen and the tokens' own size). */
  maxBytes: number;
  /** Bytes a token keeps alive while its interval is open (e.g. the JetStream message's payload). */
  tokenBytes?: (token: T) => number;
}

export const DEFAULT_FLEET_LIMITS = { maxIntervals: 2000, maxBytes: 128 * 1024 ** 2 } as const;

/** Bytes one merged summary's id takes in `seen` ("sensor/run/seq" plus Set overhead). */
const ID_BYTES = 120;
/** Bytes a token takes beyond its own size (array slot, message object). */
const TOKEN_OVERHEAD_BYTES = 200;

/**
 * Merges sensors' summaries by interval for the fleet-wide top lists. An interval is due `graceMs`
 * after its first summary arrived (arrival time, not the interval's own time: replays of old
 * captures work the same as live traffic). A summary that arrives after its interval was flushed is
 * merged into the retained merge and the interval is due again at once (its points are rewritten,
 * overwriting the earlier ones). Beyond `retainMs` (or after another collector took over the merge)
 * the retained merge is gone and a very late summary starts its interval afresh: docs/influxdb-schema.md.
 *
 * Memory is capped (`limits`): above the cap the oldest retained merges are dropped first (counted
 * in `retainedDropped`), then the oldest open intervals are due at once (`flushedEarly`): written
 * before their grace ran out, so nothing is lost, only a later summary of theirs starts afresh.
 */
export class FleetWindows<T> {
  private readonly open = new Map<number, Open<T>>();
  private readonly flushed = new Map<number, Open<T> & { flushedAt: number }>();
  private readonly limits: FleetWindowsLimits<T>;
  /** Estimated bytes held by open and retained intervals. */
  heldBytes = 0;
  /** Retained merges dropped before `retainMs` to stay under the cap. */
  retainedDropped = 0;
  /** Open intervals written before their grace ran out to stay under the cap. */
  flushedEarly = 0;

  constructor(
    private readonly graceMs: number,
    private readonly retainMs: number,
    limits: Partial<FleetWindowsLimits<T>> = {},
  ) {
    this.limits = { ...DEFAULT_FLEET_LIMITS, ...limits };
  }

  /**
   * Merges one summary in. With `adopt`, a summary that opens an interval becomes its merge as it is
   * (the caller gives it up: no copy, which halves the allocations of a fast replay); otherwise it is copied.
   */
  add(message: SummaryMessage, sketches: SummarySketches, token: T, nowMs: number, adopt = false): AddResult {
    const id = `${message.sensor}/${message.run}/${message.seq}`;
    const retained = this.flushed.get(message.start);
    if (retained && !this.open.has(message.start)) {
      if (retained.seen.has(id)) return 'duplicate';
      if (!retained.sketches.sameShape(sketches)) return 'shape';
      this.flushed.delete(message.start);
      retained.tokens = [];
      retained.tokenBytes = 0;
      retained.dueAt = nowMs;
      this.open.set(message.start, retained);
    }
    let w = this.open.get(message.start);
    if (!w) {
      const copy = adopt ? sketches : sketches.clone();
      const sketchBytes = estimateSketchBytes(copy);
      w = { start: message.start, end: message.end, sketches: copy, summaries: 0, tokens: [], seen: new Set(), dueAt: nowMs + this.graceMs, bytes: sketchBytes, sketchBytes, tokenBytes: 0 };
      this.heldBytes += sketchBytes;
      this.open.set(message.start, w);
    } else {
      if (w.seen.has(id)) {
        this.addToken(w, token);
        return 'held';
      }
      if (!w.sketches.sameShape(sketches)) return 'shape';
      w.sketches.merge(sketches);
    }
    w.seen.add(id);
    w.bytes += ID_BYTES;
    this.heldBytes += ID_BYTES;
    w.summaries++;
    this.addToken(w, token);
    return 'merged';
  }

  /** Whether the merge holds more than its cap (call `takeDue` to bring it back under). */
  get overCap(): boolean {
    return this.open.size + this.flushed.size > this.limits.maxIntervals || this.heldBytes > this.limits.maxBytes;
  }

  /**
   * Intervals ready to write: those whose grace ran out, then, while over the cap, the oldest open
   * ones. They move to the retained set (call `forgetOld` now and then), whose oldest go first when
   * over the cap.
   */
  takeDue(nowMs: number): FleetInterval<T>[] {
    const due: FleetInterval<T>[] = [];
    for (const w of this.open.values()) if (w.dueAt <= nowMs) due.push(this.moveToFlushed(w, nowMs));
    while (this.overCap) {
      const oldestRetained = this.flushed.values().next();
      if (!oldestRetained.done) {
        this.drop(oldestRetained.value);
        this.retainedDropped++;
        continue;
      }
      const oldestOpen = this.open.values().next();
      if (oldestOpen.done) break;
      this.flushedEarly++;
      due.push(this.moveToFlushed(oldestOpen.value, nowMs));
    }
    return due;
  }

  /** Puts back an interval whose write failed, so it is retried (with its tokens) on the next pass. */
  retry(interval: FleetInterval<T>, nowMs: number): void {
    const retained = this.flushed.get(interval.start);
    if (retained) this.drop(retained);
    const reopened = this.open.get(interval.start);
    if (reopened) {
      for (const token of interval.tokens) this.addToken(reopened, token);
      return;
    }
    // Its retained merge may have been dropped for the cap meanwhile: the interval itself carries it.
    const base = retained ?? (interval as Open<T>);
    const w: Open<T> = { ...base, tokens: [], tokenBytes: 0, dueAt: nowMs + 1000, bytes: base.sketchBytes + base.seen.size * ID_BYTES };
    this.heldBytes += w.bytes;
    this.open.set(interval.start, w);
    for (const token of interval.tokens) this.addToken(w, token);
  }

  forgetOld(nowMs: number): void {
    for (const w of this.flushed.values()) if (nowMs - w.flushedAt > this.retainMs) this.drop(w);
  }

  get openIntervals(): number {
    return this.open.size;
  }

  get retainedIntervals(): number {
    return this.flushed.size;
  }

  private addToken(w: Open<T>, token: T): void {
    w.tokens.push(token);
    const bytes = TOKEN_OVERHEAD_BYTES + (this.limits.tokenBytes?.(token) ?? 0);
    w.tokenBytes += bytes;
    w.bytes += bytes;
    this.heldBytes += bytes;
  }

  /** Open → retained: its tokens go to the writer (and are acked once written), so it holds no more of them. */
  private moveToFlushed(w: Open<T>, nowMs: number): FleetInterval<T> {
    const taken = { ...w };
    this.open.delete(w.start);
    this.heldBytes -= w.tokenBytes;
    this.flushed.set(w.start, { ...w, tokens: [], tokenBytes: 0, bytes: w.bytes - w.tokenBytes, flushedAt: nowMs });
    return taken;
  }

  private drop(w: Open<T>): void {
    if (this.flushed.get(w.start) !== w) return;
    this.flushed.delete(w.start);
    this.heldBytes -= w.bytes;
  }
}
