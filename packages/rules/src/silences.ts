export interface SilenceMatcher {
  label: string;
  value: string;
}

/** Mutes notifications of the alerts whose labels equal every matcher's value, until `expiresAt`. */
export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  /** ms since the epoch, in the engine's time; from then on the silence is ignored. */
  expiresAt: number;
  comment: string;
  createdBy?: string;
  /** ms since the epoch; absent: effective at once. */
  startsAt?: number;
}

/**
 * The active silences. Alerts are matched on their labels (rule labels and group labels) plus the
 * pseudo-labels `rule` and `severity`.
 */
export class SilenceList {
  private readonly byId = new Map<string, Silence>();

  get size(): number {
    return this.byId.size;
  }

  add(silence: Silence): void {
    if (silence.matchers.length === 0)
      throw new Error(`silence ${silence.id}: needs at least one matcher (it would mute everything)`);
    this.byId.set(silence.id, { ...silence, matchers: silence.matchers.map((m) => ({ ...m })) });
  }

  remove(id: string): boolean {
    return this.byId.delete(id);
  }

  list(): Silence[] {
    return [...this.byId.values()].map((s) => ({ ...s, matchers: s.matchers.map((m) => ({ ...m })) }));
  }

  /** Drops the silences expired at `at`; returns how many. */
  prune(at: number): number {
    let removed = 0;
    for (const [id, s] of this.byId) {
      if (s.expiresAt <= at) {
        this.byId.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /** Ids of the silences muting an alert with these labels at `at` (empty: not silenced). */
  matching(rule: string, severity: string, labels: Readonly<Record<string, string>>, at: number): string[] {
    const ids: string[] = [];
    for (const s of this.byId.values()) {
      if (s.expiresAt <= at || (s.startsAt !== undefined && s.startsAt > at)) continue;
      if (s.matchers.every((m) => labelValue(m.label, rule, severity, labels) === m.value)) ids.push(s.id);
    }
    return ids;
  }
}

function labelValue(
  label: string,
  rule: string,
  severity: string,
  labels: Readonly<Record<string, string>>,
): string | undefined {
  if (Object.hasOwn(labels, label)) return labels[label];
  if (label === 'rule') return rule;
  if (label === 'severity') return severity;
  return undefined;
}
