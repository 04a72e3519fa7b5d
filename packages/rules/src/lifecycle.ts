/**
 * The alert state machine of one dedup key:
 *
 *   inactive ──condition──▶ pending ──held for `for`──▶ firing ──condition gone──▶ resolved (→ inactive)
 *                              │                          │
 *                              └─condition gone─▶ inactive └─every `repeat_interval`: firing again (repeat)
 *
 * Silences change what is notified, never the state: a transition met while silenced is still
 * emitted, flagged. A firing alert whose "firing" went out silenced is announced when the silence
 * ends; its "resolved" is flagged silenced when no "firing" was ever announced unsilenced.
 */

export interface AlertRecord {
  state: 'pending' | 'firing';
  /** When the condition became true (the incident's start). */
  since: number;
  /** When the alert last went out as firing (the repeat clock), null before the first time. */
  lastNotifiedAt: number | null;
  /** Whether a firing notification went out unsilenced. */
  notified: boolean;
}

export interface Timing {
  forMs: number;
  repeatMs: number | null;
}

export interface LifecycleEvent {
  state: 'pending' | 'firing' | 'resolved';
  repeat: boolean;
  silenced: boolean;
}

export interface Step {
  /** The record after this step (undefined: inactive). The input record is updated in place. */
  record: AlertRecord | undefined;
  event: LifecycleEvent | null;
}

const NOTHING: LifecycleEvent | null = null;

export function advance(
  record: AlertRecord | undefined,
  active: boolean,
  at: number,
  timing: Timing,
  silenced: boolean,
): Step {
  if (record === undefined) {
    if (!active) return { record, event: NOTHING };
    if (timing.forMs > 0)
      return {
        record: { state: 'pending', since: at, lastNotifiedAt: null, notified: false },
        event: { state: 'pending', repeat: false, silenced },
      };
    return {
      record: fire({ state: 'pending', since: at, lastNotifiedAt: null, notified: false }, at, silenced),
      event: { state: 'firing', repeat: false, silenced },
    };
  }
  if (!active) {
    if (record.state === 'pending') return { record: undefined, event: NOTHING };
    return { record: undefined, event: { state: 'resolved', repeat: false, silenced: silenced || !record.notified } };
  }
  if (record.state === 'pending') {
    if (at - record.since < timing.forMs) return { record, event: NOTHING };
    return { record: fire(record, at, silenced), event: { state: 'firing', repeat: false, silenced } };
  }
  if (!record.notified && !silenced) {
    // Its firing went out silenced and the silence is over: announce it now, once.
    fire(record, at, false);
    return { record, event: { state: 'firing', repeat: false, silenced: false } };
  }
  if (timing.repeatMs !== null && record.lastNotifiedAt !== null && at - record.lastNotifiedAt >= timing.repeatMs) {
    record.lastNotifiedAt = at;
    return { record, event: { state: 'firing', repeat: true, silenced } };
  }
  return { record, event: NOTHING };
}

function fire(record: AlertRecord, at: number, silenced: boolean): AlertRecord {
  record.state = 'firing';
  record.lastNotifiedAt = at;
  record.notified = record.notified || !silenced;
  return record;
}
