import { AlertBook, type AlertEntryState } from './alert-book.js';
import type { AlertTransition } from './alert-transition.js';
import type { SilenceList } from './silences.js';

/** The built-in alert's name: a rule file may not use it. */
export const DUPLICATE_ID_RULE = 'sensor-duplicate-id';

/** A run seen again within this long after another run of the same sensor id spoke is an interleaving. */
export const DUPLICATE_ID_WINDOW_MS = 60_000;
/** Interleavings within the window that make an episode: a single late redelivery makes two (the old run back, then the new one). */
export const DUPLICATE_ID_MIN_RETURNS = 3;
/** How long a sensor id's runs must stop interleaving before its alert resolves (default). */
export const DUPLICATE_ID_QUIET_MS = 5 * 60_000;
/** Runs remembered per sensor id and stream. */
const RUNS_KEPT = 8;

/** The persisted part: the alerts, and when each flagged sensor id last interleaved. */
export interface DuplicateIdState {
  alerts: AlertEntryState[];
  pressedAt: Record<string, number>;
}

/** What one stream (summaries, or heartbeats) of one sensor id showed lately. */
interface RunTrack {
  last: string;
  /** run → when last seen (insertion order = least recently seen first). */
  seen: Map<string, number>;
  /** When a run came back after another one spoke, within the window. */
  returns: number[];
  lastAt: number;
}

/**
 * The built-in alert `sensor-duplicate-id{sensor="<id>"}`: two live sensors publishing under one id
 * overwrite or mix each other's data. Seen as their run ids interleaving: in one stream (summaries, or
 * heartbeats: judged apart, because a restarted sensor publishes its predecessor's spooled summaries
 * while it already sends its own heartbeats), a run speaks again after another run did, within a
 * minute, at least three times. A restart (one run stops, the next starts) never does that. Fires at the
 * first tick after, resolves once the runs stopped interleaving for `quietMs`; routed to every receiver
 * the rule set names.
 */
export class DuplicateIdAlert {
  readonly book: AlertBook;
  /** Interleavings seen since the engine started (a run speaking again after another one). */
  interleavings = 0;
  private readonly tracks = new Map<string, RunTrack>();
  /** Sensor id → when its runs last interleaved in an episode. */
  private readonly pressedAt = new Map<string, number>();
  /** The runs seen interleaving, per sensor id in an episode (for the alert's value and the log). */
  private readonly runsOf = new Map<string, Set<string>>();

  constructor(
    silences: SilenceList,
    private readonly receivers: string[],
    private readonly quietMs = DUPLICATE_ID_QUIET_MS,
  ) {
    this.book = new AlertBook(
      {
        name: DUPLICATE_ID_RULE,
        severity: 'warning',
        labels: { category: 'health' },
        receivers,
        description:
          'Two or more live sensors publish under this sensor id (their run ids interleave): give each its own id.',
        timing: { forMs: 0, repeatMs: null },
      },
      silences,
    );
  }

  /** The receivers the alert goes to: every receiver the current rules name. */
  routeTo(receivers: Iterable<string>): void {
    this.receivers.splice(0, this.receivers.length, ...[...new Set(receivers)].sort());
  }

  /** Sensor ids flagged now. */
  get flagged(): string[] {
    return [...this.pressedAt.keys()];
  }

  /** The runs seen interleaving under `sensor` in its current episode. */
  runs(sensor: string): string[] {
    return [...(this.runsOf.get(sensor) ?? [])];
  }

  observe(stream: 'summary' | 'heartbeat', sensor: string, run: string, at: number): void {
    const key = `${stream} ${sensor}`;
    const t = this.tracks.get(key);
    if (t === undefined) {
      this.tracks.set(key, { last: run, seen: new Map([[run, at]]), returns: [], lastAt: at });
      return;
    }
    t.lastAt = at;
    if (run !== t.last) {
      const seenAt = t.seen.get(run);
      if (seenAt !== undefined && at - seenAt <= DUPLICATE_ID_WINDOW_MS) {
        this.interleavings++;
        t.returns = t.returns.filter((r) => at - r <= DUPLICATE_ID_WINDOW_MS);
        t.returns.push(at);
        if (t.returns.length >= DUPLICATE_ID_MIN_RETURNS) {
          this.pressedAt.set(sensor, at);
          const runs = this.runsOf.get(sensor) ?? new Set<string>();
          runs.add(run).add(t.last);
          this.runsOf.set(sensor, runs);
        }
      }
      t.last = run;
    }
    t.seen.delete(run);
    t.seen.set(run, at);
    if (t.seen.size > RUNS_KEPT) t.seen.delete(t.seen.keys().next().value!);
  }

  /** Judges every flagged sensor id at a tick (value: runs seen interleaving, threshold 1) and forgets quiet ones. */
  judge(at: number, out: AlertTransition[]): void {
    for (const [sensor, pressedAt] of this.pressedAt) {
      const active = at - pressedAt < this.quietMs;
      this.book.judge(
        `${DUPLICATE_ID_RULE}{sensor=${JSON.stringify(sensor)}}`,
        { sensor },
        active,
        Math.max(2, this.runsOf.get(sensor)?.size ?? 2),
        1,
        at,
        out,
      );
      if (!active) {
        this.pressedAt.delete(sensor);
        this.runsOf.delete(sensor);
      }
    }
    for (const [key, t] of this.tracks) if (at - t.lastAt > DUPLICATE_ID_WINDOW_MS) this.tracks.delete(key);
  }

  snapshot(): DuplicateIdState {
    return { alerts: this.book.snapshot(), pressedAt: Object.fromEntries(this.pressedAt) };
  }

  /** `now` (restart time): the quiet clock restarts there, so downtime does not end an episode. */
  restore(state: DuplicateIdState, now: number): void {
    this.book.restore(state.alerts);
    for (const [sensor, at] of Object.entries(state.pressedAt)) this.pressedAt.set(sensor, Math.max(at, now));
  }
}
