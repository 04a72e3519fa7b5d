import { describe, expect, it } from 'vitest';
import { summarizerWithHosts } from '../../traffic/src/testing/hosts.js';
import { buildSummaryMessage } from './codec.js';
import { FleetWindows } from './fleet-windows.js';
import { estimateSketchBytes } from './sketch-size.js';
import { SummarySketches } from './summary-sketches.js';

/** A summary from `sensor` in which `hosts` each sent `bytes` in one IPv4 frame. */
function summary(sensor: string, seq: number, start: number, hosts: number[], bytes: number) {
  const s = summarizerWithHosts(hosts, bytes);
  const message = buildSummaryMessage(s, { sensor, run: 'r', seq, interface: 'eth0', start, end: start + 1000, emitted: 0, kernelDropped: null, late: 0 });
  return { message, sketches: SummarySketches.fromSummarizer(s).clone() };
}

describe('FleetWindows', () => {
  it('merges every sensor of an interval and flushes it after the grace period', () => {
    const w = new FleetWindows<string>(2000, 60_000);
    const a = summary('a', 1, 1000, [1, 2], 100);
    const b = summary('b', 1, 1000, [2, 3], 100);
    expect(w.add(a.message, a.sketches, 'a1', 0)).toBe('merged');
    expect(w.add(b.message, b.sketches, 'b1', 500)).toBe('merged');
    expect(w.takeDue(1999)).toEqual([]);
    const [due] = w.takeDue(2000);
    expect(due.summaries).toBe(2);
    expect(due.tokens).toEqual(['a1', 'b1']);
    const sources = due.sketches.topLists(3).sources;
    expect(sources[0]).toEqual({ ip: '0.0.0.2', packets: 2, bytes: 200 });
    expect(sources.map((s) => s.ip).sort()).toEqual(['0.0.0.1', '0.0.0.2', '0.0.0.3']);
  });

  it('leaves out a summary whose sketch sizes differ from its interval\'s, merging nothing of it', () => {
    const w = new FleetWindows<string>(1000, 60_000);
    const a = summary('a', 1, 0, [1], 10);
    const s = summarizerWithHosts([2], 10, { capacity: 128 });
    const wider = buildSummaryMessage(s, { sensor: 'b', run: 'r', seq: 1, interface: 'eth0', start: 0, end: 1000, emitted: 0, kernelDropped: null, late: 0 });
    expect(w.add(a.message, a.sketches, 'a', 0)).toBe('merged');
    expect(w.add(wider, SummarySketches.fromSummarizer(s).clone(), 'b', 0)).toBe('shape');
    const [due] = w.takeDue(1000);
    expect(due.summaries).toBe(1);
    expect(due.tokens).toEqual(['a']);
    expect(due.sketches.topLists(5).sources.map((h) => h.ip)).toEqual(['0.0.0.1']);
    // Retained after the write: a late one of another shape is still left out.
    expect(w.add(wider, SummarySketches.fromSummarizer(s).clone(), 'b-late', 2000)).toBe('shape');
  });

  it('never merges one summary twice: held while open, acked at once once written', () => {
    const w = new FleetWindows<string>(1000, 60_000);
    const a = summary('a', 1, 0, [1], 10);
    expect(w.add(a.message, a.sketches, 'first', 0)).toBe('merged');
    expect(w.add(a.message, a.sketches, 'redelivered', 10)).toBe('held');
    const [due] = w.takeDue(1000);
    expect(due.summaries).toBe(1);
    expect(due.tokens).toEqual(['first', 'redelivered']);
    expect(w.add(a.message, a.sketches, 'again', 2000)).toBe('duplicate');
  });

  it('a late summary reopens its interval with the earlier merge, so the rewrite is complete', () => {
    const w = new FleetWindows<string>(1000, 60_000);
    const a = summary('a', 1, 0, [1], 10);
    const b = summary('b', 1, 0, [1], 10);
    w.add(a.message, a.sketches, 'a', 0);
    expect(w.takeDue(1000)).toHaveLength(1);
    expect(w.add(b.message, b.sketches, 'b', 5000)).toBe('merged');
    const [again] = w.takeDue(5000);
    expect(again.summaries).toBe(2);
    expect(again.tokens).toEqual(['b']);
    expect(again.sketches.topLists(1).sources[0].bytes).toBe(20);
  });

  it('puts a failed write back with its tokens', () => {
    const w = new FleetWindows<string>(1000, 60_000);
    const a = summary('a', 1, 0, [1], 10);
    w.add(a.message, a.sketches, 'a', 0);
    const [due] = w.takeDue(1000);
    w.retry(due, 1000);
    expect(w.takeDue(1500)).toEqual([]);
    const [again] = w.takeDue(2000);
    expect(again.tokens).toEqual(['a']);
    expect(again.summaries).toBe(1);
  });

  describe('memory cap', () => {
    /** A day of one-second intervals from one sensor, arriving far faster than the grace period. */
    function replay(w: FleetWindows<number>, intervals: number, onDue: (due: ReturnType<FleetWindows<number>['takeDue']>) => void) {
      const a = summary('a', 1, 0, [1, 2, 3], 100);
      for (let i = 0; i < intervals; i++) {
        const message = { ...a.message, seq: i + 1, start: i * 1000, end: (i + 1) * 1000 };
        w.add(message, a.sketches, i, i);
        if (i % 50 === 49) onDue(w.takeDue(i));
      }
      onDue(w.takeDue(intervals));
    }

    it('holds no more intervals than its cap: the oldest written early, in order, each once, and counted', () => {
      const w = new FleetWindows<number>(60_000, 10 * 60_000, { maxIntervals: 100, maxBytes: Number.POSITIVE_INFINITY });
      const written: number[] = [];
      let most = 0;
      replay(w, 5000, (due) => {
        written.push(...due.flatMap((d) => d.tokens));
        most = Math.max(most, w.openIntervals + w.retainedIntervals);
      });
      // 50 added between two checks: never more than the cap plus those.
      expect(most).toBeLessThanOrEqual(100);
      expect(w.openIntervals + w.retainedIntervals).toBeLessThanOrEqual(100);
      // Nothing lost: every summary's token handed over for writing once, oldest first.
      const stillOpen = 5000 - written.length;
      expect(written).toEqual(Array.from({ length: written.length }, (_, i) => i));
      expect(stillOpen).toBeLessThanOrEqual(100);
      expect(w.flushedEarly).toBe(written.length);
      expect(w.retainedDropped).toBeGreaterThanOrEqual(written.length - 100);
    });

    it('holds no more estimated bytes than its cap, tokens included', () => {
      const one = summary('a', 1, 0, [1, 2, 3], 100);
      const perInterval = estimateSketchBytes(one.sketches.clone());
      const maxBytes = 20 * perInterval;
      const w = new FleetWindows<number>(60_000, 10 * 60_000, { maxIntervals: 1_000_000, maxBytes, tokenBytes: () => 1000 });
      let most = 0;
      replay(w, 3000, () => (most = Math.max(most, w.heldBytes)));
      expect(most).toBeLessThanOrEqual(maxBytes);
      expect(w.heldBytes).toBeGreaterThan(0);
      expect(w.openIntervals + w.retainedIntervals).toBeLessThanOrEqual(21);
      expect(w.flushedEarly).toBeGreaterThan(2900);
    });

    it('counts and releases every retained merge it drops; a late summary of one starts afresh', () => {
      const w = new FleetWindows<string>(1000, 60_000, { maxIntervals: 2, maxBytes: Number.POSITIVE_INFINITY });
      for (const start of [0, 1000, 2000]) {
        const s = summary('a', start + 1, start, [1], 10);
        w.add(s.message, s.sketches, `t${start}`, 0);
      }
      // Three open, cap two: the oldest goes early, then its retained merge is dropped.
      const early = w.takeDue(0);
      expect(early.map((d) => d.start)).toEqual([0]);
      expect(w.flushedEarly).toBe(1);
      expect(w.retainedDropped).toBe(1);
      expect(w.openIntervals + w.retainedIntervals).toBe(2);
      const late = summary('b', 1, 0, [1], 10);
      expect(w.add(late.message, late.sketches, 'late', 10)).toBe('merged');
      const [rewritten] = w.takeDue(5000).filter((d) => d.start === 0);
      expect(rewritten.summaries).toBe(1);
    });

    it('a failed write of an interval whose retained merge was dropped is put back whole', () => {
      const w = new FleetWindows<string>(1000, 60_000, { maxIntervals: 1, maxBytes: Number.POSITIVE_INFINITY });
      const a = summary('a', 1, 0, [1], 10);
      const b = summary('a', 2, 1000, [1], 10);
      w.add(a.message, a.sketches, 'a', 0);
      w.add(b.message, b.sketches, 'b', 0);
      const [first] = w.takeDue(0);
      expect(first.start).toBe(0);
      expect(w.retainedDropped).toBe(1);
      w.retry(first, 0);
      const again = w.takeDue(5000).find((d) => d.start === 0)!;
      expect(again.tokens).toEqual(['a']);
      expect(again.summaries).toBe(1);
      expect(w.add(a.message, a.sketches, 'redelivered', 5000)).toBe('duplicate');
    });
  });
});
