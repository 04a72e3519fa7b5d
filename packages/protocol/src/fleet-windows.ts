import type { SummarySketches } from './summary-sketches.js';
import type { SummaryMessage } from './summary-message.js';
import { ClosedIntervals } from './closed-intervals.js';
import { DEFAULT_SKETCH_SHAPE } from './limits.js';
import { estimateSketchBytes } from './sketch-size.js';

/** One interval's fleet-wide merge, handed over for writing. */
export interface FleetInterval<T> {
  readonly start: number;
  readonly end: number;
  /** The merge itself: it keeps growing if summaries of the interval arrive while it is written. */
  readonly sketches: SummarySketches;
  /** Distinct summaries merged so far (sensor × interface). */
  readonly summaries: number;
  /** The tokens this write settles (a copy; `settle` returns them, redeliveries that joined included). */
  readonly tokens: readonly T[];
}

/** Sketch sizes: Space-Saving capacity of the top lists, HyperLogLog precision of the distinct counts. */
export interface SketchShape {
  capacity: number;
  precision: number;
}

/**
 * One interval's merge. It is in one of three maps: `open` (merged summaries not written yet),
 * `writing` (a write in flight; summaries merged meanwhile make it dirty, to be written again once
 * that write settles) or `retained` (written, kept for late summaries).
 */
interface Merge<T> {
  start: number;
  end: number;
  sketches: SummarySketches;
  summaries: number;
  seen: Set<string>;
  /** Tokens waiting for the next write. */
  held: T[];
  /** Tokens of the write in flight. */
  writing: T[] | undefined;
  /** Ids merged after the write in flight began (a redelivery of one waits for the next write). */
  mergedSinceWrite: Set<string> | undefined;
  /** Merged or held since the last write began. */
  dirty: boolean;
  dueAt: number;
  flushedAt: number;
  /** Estimated bytes: sketches, ids seen, tokens held or being written. */
  bytes: number;
}

/**
 * 'merged': counted into its interval; 'held': a redelivery of a summary already merged into an
 * interval not written yet, or being written (its token waits for that write); 'duplicate': already
 * merged and written (ack it now); 'shape': its sketch sizes differ from the fleet's (a sensor
 * configured with another capacity or precision), so it is left out (ack it now, count it);
 * 'closed': its interval was written and its merge let go (memory cap, or older than `retainMs`):
 * merging it into a fresh merge would overwrite the interval's points with a part of them, so it is
 * left out (ack it now, count it).
 */
export type AddResult = 'merged' | 'held' | 'duplicate' | 'shape' | 'closed';

/** How much the merge may hold at once, open, being written and retained intervals together. */
export interface FleetWindowsLimits<T> {
  maxIntervals: number;
  /** Estimated bytes (estimateSketchBytes, plus the ids seen and the tokens' own size). */
  maxBytes: number;
  /** Bytes a token keeps alive until its interval is written (e.g. the JetStream message's payload). */
  tokenBytes?: (token: T) => number;
  /** The one sketch shape merged; summaries of another shape are left out ('shape'). */
  shape?: SketchShape;
  /** Starts of intervals let go that are remembered, so a summary of one is 'closed' (a bounded ring). */
  closedIntervals?: number;
}

export const DEFAULT_FLEET_LIMITS = {
  maxIntervals: 2000,
  maxBytes: 128 * 1024 ** 2,
  closedIntervals: 100_000,
} as const;

/** Bytes one merged summary's id takes in `seen` ("sensor/run/seq" plus Set overhead). */
const ID_BYTES = 120;
/** Bytes a token takes beyond its own size (array slot, message object). */
const TOKEN_OVERHEAD_BYTES = 200;
/** A failed write is tried again this long after. */
const RETRY_DELAY_MS = 1000;

/** The shape of a parsed summary's sketches (validation made every sketch of a message agree). */
export function sketchShape(sketches: SummarySketches): SketchShape {
  return { capacity: sketches.top.sources.capacity, precision: sketches.distinct.distinct_sources.p };
}

/**
 * Merges sensors' summaries by interval for the fleet-wide top lists. An interval is due `graceMs`
 * after its first summary arrived (arrival time, not the interval's own time: replays of old
 * captures work the same as live traffic). The caller writes what `takeDue` hands over and says how
 * the write ended: `settle` (accepted, or refused for good: the tokens to acknowledge or terminate)
 * or `retry`. A summary that arrives after its interval was written is merged into the retained
 * merge and the interval is due again at once (its points are rewritten, overwriting the earlier
 * ones with the whole merge). Beyond `retainMs` the retained merge is let go, and a summary of that
 * interval is 'closed' (counted by the caller), never the start of a partial merge that would
 * overwrite it; the starts let go are remembered in a bounded ring (`closedIntervals`).
 *
 * Memory is capped (`limits`): above the cap the oldest retained merges are let go first (counted
 * in `retainedDropped`), then, while the open ones alone are over it, the oldest open intervals are
 * written at once (`flushedEarly`). A merge being written is never let go: its retained merge goes
 * only once its write settled, so an interval is written whole, and a later summary of it is
 * merged in (while retained) or 'closed'.
 */
export class FleetWindows<T> {
  private readonly open = new Map<number, Merge<T>>();
  private readonly writing = new Map<number, Merge<T>>();
  private readonly retained = new Map<number, Merge<T>>();
  private readonly closed: ClosedIntervals;
  private readonly limits: FleetWindowsLimits<T> & { shape: SketchShape };
  /** Estimated bytes held by open, writing and retained intervals. */
  heldBytes = 0;
  /** The part of `heldBytes` held by open intervals. */
  private openBytes = 0;
  /** Retained merges let go before `retainMs` to stay under the cap. */
  retainedDropped = 0;
  /** Open intervals written before their grace ran out to stay under the cap. */
  flushedEarly = 0;

  constructor(
    private readonly graceMs: number,
    private readonly retainMs: number,
    limits: Partial<FleetWindowsLimits<T>> = {},
  ) {
    this.limits = { ...DEFAULT_FLEET_LIMITS, shape: DEFAULT_SKETCH_SHAPE, ...limits };
    this.closed = new ClosedIntervals(this.limits.closedIntervals ?? DEFAULT_FLEET_LIMITS.closedIntervals);
  }

  /** The shape merged: any other is 'shape'. */
  get shape(): SketchShape {
    return this.limits.shape;
  }

  /**
   * Merges one summary in. With `adopt`, a summary that opens an interval becomes its merge as it is
   * (the caller gives it up: no copy, which halves the allocations of a fast replay); otherwise it is copied.
   */
  add(message: SummaryMessage, sketches: SummarySketches, token: T, nowMs: number, adopt = false): AddResult {
    const shape = sketchShape(sketches);
    if (shape.capacity !== this.limits.shape.capacity || shape.precision !== this.limits.shape.precision)
      return 'shape';
    const id = `${message.sensor}/${message.run}/${message.seq}`;
    let w = this.open.get(message.start) ?? this.writing.get(message.start);
    if (!w) {
      const retained = this.retained.get(message.start);
      if (retained) {
        if (retained.seen.has(id)) return 'duplicate';
        this.retained.delete(message.start);
        w = retained;
        w.dirty = true;
        w.dueAt = nowMs;
        this.toOpen(w);
      } else if (this.closed.has(message.start)) {
        return 'closed';
      } else {
        this.create(message, adopt ? sketches : sketches.clone(), id, token, nowMs);
        return 'merged';
      }
    }
    if (w.seen.has(id)) {
      if (w.writing && !w.mergedSinceWrite?.has(id)) this.addToken(w, w.writing, token);
      else this.addToken(w, w.held, token);
      return 'held';
    }
    w.sketches.merge(sketches);
    if (w.writing) {
      (w.mergedSinceWrite ??= new Set()).add(id);
      if (!w.dirty) {
        w.dirty = true;
        w.dueAt = nowMs;
      }
    }
    this.addId(w, id);
    this.addToken(w, w.held, token);
    return 'merged';
  }

  /** Whether the merge holds more than its cap (call `takeDue`, and settle its writes, to bring it back under). */
  get overCap(): boolean {
    return (
      this.open.size + this.writing.size + this.retained.size > this.limits.maxIntervals ||
      this.heldBytes > this.limits.maxBytes
    );
  }

  /**
   * Intervals ready to write: those whose grace ran out, then, while over the cap, the oldest open
   * ones once the retained merges are all let go. Each is being written until `settle` or `retry`.
   */
  takeDue(nowMs: number): FleetInterval<T>[] {
    const due: FleetInterval<T>[] = [];
    for (const w of this.open.values()) if (w.dueAt <= nowMs) due.push(this.startWrite(w));
    while (this.overCap) {
      const oldestRetained = this.retained.values().next();
      if (!oldestRetained.done) {
        this.letGo(oldestRetained.value);
        this.retainedDropped++;
        continue;
      }
      // Those being written are let go once their writes settle: only the open ones alone over the
      // cap call for more early writes.
      if (this.open.size <= this.limits.maxIntervals && this.openBytes <= this.limits.maxBytes) break;
      const oldestOpen = this.open.values().next().value!;
      this.flushedEarly++;
      due.push(this.startWrite(oldestOpen));
    }
    return due;
  }

  /**
   * The write of `interval` is over: accepted, or refused for good. Returns the tokens to
   * acknowledge (or terminate), redeliveries that joined the write included. The merge is retained
   * for late summaries, or open again if summaries arrived while it was written.
   */
  settle(interval: FleetInterval<T>, nowMs: number): T[] {
    const w = this.writing.get(interval.start);
    if (!w?.writing) return [];
    this.writing.delete(w.start);
    const tokens = w.writing;
    w.writing = undefined;
    w.mergedSinceWrite = undefined;
    this.release(w, tokens);
    if (w.dirty) {
      this.toOpen(w);
    } else {
      w.flushedAt = nowMs;
      this.retained.set(w.start, w);
    }
    return tokens;
  }

  /** The write of `interval` failed: it is open again, with its tokens, and due again shortly. */
  retry(interval: FleetInterval<T>, nowMs: number): void {
    const w = this.writing.get(interval.start);
    if (!w?.writing) return;
    this.writing.delete(w.start);
    w.held = [...w.writing, ...w.held];
    w.writing = undefined;
    w.mergedSinceWrite = undefined;
    w.dueAt = nowMs + RETRY_DELAY_MS;
    w.dirty = true;
    this.toOpen(w);
  }

  /** Lets go of retained merges older than `retainMs`; a summary of theirs is 'closed' from now on. */
  forgetOld(nowMs: number): void {
    for (const w of this.retained.values()) {
      if (nowMs - w.flushedAt <= this.retainMs) break;
      this.letGo(w);
    }
  }

  /** Every token not settled yet (held for a write, or in one): e.g. to keep their messages from being redelivered. */
  *heldTokens(): Generator<T> {
    for (const w of this.open.values()) yield* w.held;
    for (const w of this.writing.values()) {
      yield* w.writing ?? [];
      yield* w.held;
    }
  }

  get openIntervals(): number {
    return this.open.size;
  }

  get writingIntervals(): number {
    return this.writing.size;
  }

  get retainedIntervals(): number {
    return this.retained.size;
  }

  /** Starts of intervals let go that are remembered (bounded by `closedIntervals`). */
  get closedIntervals(): number {
    return this.closed.size;
  }

  private create(message: SummaryMessage, sketches: SummarySketches, id: string, token: T, nowMs: number): void {
    const bytes = estimateSketchBytes(sketches);
    const w: Merge<T> = {
      start: message.start,
      end: message.end,
      sketches,
      summaries: 0,
      seen: new Set(),
      held: [],
      writing: undefined,
      mergedSinceWrite: undefined,
      dirty: true,
      dueAt: nowMs + this.graceMs,
      flushedAt: 0,
      bytes: 0,
    };
    this.open.set(w.start, w);
    this.grow(w, bytes);
    this.addId(w, id);
    this.addToken(w, w.held, token);
  }

  private addId(w: Merge<T>, id: string): void {
    w.seen.add(id);
    w.summaries++;
    this.grow(w, ID_BYTES);
  }

  private addToken(w: Merge<T>, to: T[], token: T): void {
    to.push(token);
    this.grow(w, this.tokenBytes(token));
  }

  private tokenBytes(token: T): number {
    return TOKEN_OVERHEAD_BYTES + (this.limits.tokenBytes?.(token) ?? 0);
  }

  private grow(w: Merge<T>, bytes: number): void {
    w.bytes += bytes;
    this.heldBytes += bytes;
    if (this.open.get(w.start) === w) this.openBytes += bytes;
  }

  /** Tokens settled: their bytes are no longer held. */
  private release(w: Merge<T>, tokens: readonly T[]): void {
    let bytes = 0;
    for (const token of tokens) bytes += this.tokenBytes(token);
    w.bytes -= bytes;
    this.heldBytes -= bytes;
  }

  private toOpen(w: Merge<T>): void {
    this.open.set(w.start, w);
    this.openBytes += w.bytes;
  }

  /** Open → writing: its held tokens go with the write. */
  private startWrite(w: Merge<T>): FleetInterval<T> {
    this.open.delete(w.start);
    this.openBytes -= w.bytes;
    w.writing = w.held;
    w.held = [];
    w.dirty = false;
    w.mergedSinceWrite = undefined;
    this.writing.set(w.start, w);
    return {
      start: w.start,
      end: w.end,
      sketches: w.sketches,
      get summaries() {
        return w.summaries;
      },
      tokens: [...w.writing],
    };
  }

  /** Retained → gone: only its start is remembered. */
  private letGo(w: Merge<T>): void {
    this.retained.delete(w.start);
    this.heldBytes -= w.bytes;
    this.closed.add(w.start);
  }
}
