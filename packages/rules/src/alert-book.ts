import type { ActiveAlert, AlertTransition } from './alert-transition.js';
import { advance, type AlertRecord, type LifecycleEvent, type Timing } from './lifecycle.js';
import type { Severity } from './rule-schema.js';
import type { SilenceList } from './silences.js';

export interface RuleMeta {
  name: string;
  severity: Severity;
  labels: Record<string, string>;
  receivers: string[];
  description?: string;
  timing: Timing;
}

/** One alert's persisted form. */
export interface AlertEntryState {
  key: string;
  group: Record<string, string>;
  record: AlertRecord;
  value: number | null;
  threshold: number | null;
}

interface Entry {
  group: Record<string, string>;
  labels: Record<string, string>;
  record: AlertRecord;
  value: number | null;
  threshold: number | null;
}

const NO_SILENCES: string[] = [];

/** The pending and firing alerts of one rule, by dedup key; turns judgements into transitions. */
export class AlertBook {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly meta: RuleMeta,
    private readonly silences: SilenceList,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  isActive(key: string): boolean {
    return this.entries.has(key);
  }

  /** Feeds one evaluation of the condition for the group `key` into its state machine. */
  judge(
    key: string,
    group: Record<string, string>,
    active: boolean,
    value: number | null,
    threshold: number | null,
    at: number,
    out: AlertTransition[],
  ): void {
    const entry = this.entries.get(key);
    if (entry === undefined && !active) return;
    const labels = entry?.labels ?? { ...this.meta.labels, ...group };
    const silencedBy =
      this.silences.size === 0 ? NO_SILENCES : this.silences.matching(this.meta.name, this.meta.severity, labels, at);
    const step = advance(entry?.record, active, at, this.meta.timing, silencedBy.length > 0);
    const since = entry?.record.since ?? step.record?.since ?? at;
    if (step.record === undefined) {
      if (entry !== undefined) this.entries.delete(key);
    } else if (entry === undefined) {
      this.entries.set(key, { group, labels, record: step.record, value, threshold });
    } else {
      entry.value = value;
      entry.threshold = threshold;
    }
    if (step.event !== null)
      out.push(this.transition(key, group, labels, step.event, value, threshold, since, at, silencedBy));
  }

  /** Resolves every firing alert (the rule was removed or changed) and forgets every pending one. */
  resolveAll(at: number, out: AlertTransition[]): void {
    for (const [key, e] of this.entries) {
      if (e.record.state !== 'firing') continue;
      const silencedBy =
        this.silences.size === 0
          ? NO_SILENCES
          : this.silences.matching(this.meta.name, this.meta.severity, e.labels, at);
      const event: LifecycleEvent = {
        state: 'resolved',
        repeat: false,
        silenced: silencedBy.length > 0 || !e.record.notified,
      };
      out.push(this.transition(key, e.group, e.labels, event, null, e.threshold, e.record.since, at, silencedBy));
    }
    this.entries.clear();
  }

  list(): ActiveAlert[] {
    return [...this.entries].map(([key, e]) => ({
      rule: this.meta.name,
      dedupKey: key,
      group: { ...e.group },
      labels: { ...e.labels },
      state: e.record.state,
      since: e.record.since,
      value: e.value,
      threshold: e.threshold,
      severity: this.meta.severity,
      receivers: [...this.meta.receivers],
    }));
  }

  snapshot(): AlertEntryState[] {
    return [...this.entries].map(([key, e]) => ({
      key,
      group: { ...e.group },
      record: { ...e.record },
      value: e.value,
      threshold: e.threshold,
    }));
  }

  restore(entries: readonly AlertEntryState[]): void {
    for (const e of entries) {
      this.entries.set(e.key, {
        group: { ...e.group },
        labels: { ...this.meta.labels, ...e.group },
        record: { ...e.record },
        value: e.value,
        threshold: e.threshold,
      });
    }
  }

  private transition(
    key: string,
    group: Record<string, string>,
    labels: Record<string, string>,
    event: LifecycleEvent,
    value: number | null,
    threshold: number | null,
    since: number,
    at: number,
    silencedBy: string[],
  ): AlertTransition {
    const t: AlertTransition = {
      rule: this.meta.name,
      dedupKey: key,
      group: { ...group },
      state: event.state,
      value,
      threshold,
      since,
      at,
      severity: this.meta.severity,
      labels: { ...labels },
      receivers: [...this.meta.receivers],
      repeat: event.repeat,
      silenced: event.silenced,
      silencedBy: [...silencedBy],
    };
    if (this.meta.description !== undefined) t.description = this.meta.description;
    return t;
  }
}
