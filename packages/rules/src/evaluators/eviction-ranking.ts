/** A group a full rule may evict: how much it mattered when ranked. */
export interface Rankable {
  /** Larger matters more (the group's latest value, oriented by the rule's direction). */
  significance: number;
}

interface Ranked<G> {
  key: string;
  group: G;
  significance: number;
}

/**
 * The groups of a rule at its group limit, least significant first, from one pass over them: the
 * candidates to evict for a newcomer that matters more. The pass (O(n log n)) runs when a newcomer
 * finds the rule full and no ranking is at hand; after it, each eviction or refusal costs O(1)
 * (amortized) instead of a scan of every group per message. `invalidate` (each tick) lets the next
 * pass see the groups' current values.
 */
export class EvictionRanking<G extends Rankable> {
  private items: Ranked<G>[] = [];
  private next = 0;
  /** A pass found nothing evictable (every group pending or firing): no new pass until the next tick. */
  private exhausted = false;

  invalidate(): void {
    this.items = [];
    this.next = 0;
    this.exhausted = false;
  }

  /**
   * The key of the group to evict for a newcomer of `significance` (taken out of the ranking), or
   * undefined when none matters less than the newcomer: it is refused. A group `isProtected` (its
   * alert pending or firing) is never picked; one whose value rose since the pass is passed over.
   */
  pick(
    significance: number,
    groups: ReadonlyMap<string, G>,
    isProtected: (key: string) => boolean,
  ): string | undefined {
    let ranked = false;
    for (;;) {
      if (this.next >= this.items.length) {
        if (ranked || this.exhausted) return undefined;
        this.rank(groups, isProtected);
        ranked = true;
        if (this.items.length === 0) {
          this.exhausted = true;
          return undefined;
        }
      }
      const candidate = this.items[this.next];
      const group = groups.get(candidate.key);
      if (group !== candidate.group || group.significance > candidate.significance || isProtected(candidate.key)) {
        this.next++;
        continue;
      }
      if (group.significance >= significance) return undefined;
      this.next++;
      return candidate.key;
    }
  }

  private rank(groups: ReadonlyMap<string, G>, isProtected: (key: string) => boolean): void {
    const items: Ranked<G>[] = [];
    for (const [key, group] of groups)
      if (!isProtected(key)) items.push({ key, group, significance: group.significance });
    // Not a - b: -Infinity - -Infinity is NaN.
    items.sort((a, b) => (a.significance < b.significance ? -1 : a.significance > b.significance ? 1 : 0));
    this.items = items;
    this.next = 0;
  }
}
