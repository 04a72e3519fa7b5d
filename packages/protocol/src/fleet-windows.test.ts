import { describe, expect, it } from 'vitest';
import { summarizerWithHosts } from '@wirewatch/traffic/testing';
import { buildSummaryMessage } from './codec.js';
import { FleetWindows } from './fleet-windows.js';
import { DEFAULT_SKETCH_SHAPE } from './limits.js';
import { estimateSketchBytes } from './sketch-size.js';
import { SummarySketches } from './summary-sketches.js';

/** A summary from `sensor` in which `hosts` each sent `bytes` in one IPv4 frame (the fleet's default sketch sizes). */
function summary(sensor: string, seq: number, start: number, hosts: number[], bytes: number) {
  const s = summarizerWithHosts(hosts, bytes, { ...DEFAULT_SKETCH_SHAPE });
  const message = buildSummaryMessage(s, {
    sensor,
    run: 'r',
    seq,
    interface: 'eth0',
    start,
    end: start + 1000,
    emitted: 0,
    kernelDropped: null,
    late: 0,
  });
  return { message, sketches: SummarySketches.fromSummarizer(s).clone() };
}

/** A summary from `sensor` with other sketch sizes than the fleet's. */
function otherShape(sensor: string, start: number, host: number) {
  const s = summarizerWithHosts([host], 10, { capacity: 128, precision: 10 });
  const message = buildSummaryMessage(s, {
    sensor,
    run: 'r',
    seq: 1,
    interface: 'eth0',
    start,
    end: start + 1000,
    emitted: 0,
    kernelDropped: null,
    late: 0,
  });
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
    expect(w.settle(due, 2000)).toEqual(['a1', 'b1']);
  });

  it("leaves out a summary whose sketch sizes differ from the fleet's, merging nothing of it, before and after the write", () => {
    const w = new FleetWindows<string>(1000, 60_000);
    const a = summary('a', 1, 0, [1], 10);
    const wider = otherShape('b', 0, 2);
    expect(w.add(a.message, a.sketches, 'a', 0)).toBe('merged');
    expect(w.add(wider.message, wider.sketches, 'b', 0)).toBe('shape');
    const [due] = w.takeDue(1000);
    expect(due.summaries).toBe(1);
    expect(due.tokens).toEqual(['a']);
    expect(due.sketches.topLists(5).sources.map((h) => h.ip)).toEqual(['0.0.0.1']);
    w.settle(due, 1000);
    expect(w.add(wider.message, wider.sketches, 'b-late', 2000)).toBe('shape');
  });

  it("pins the fleet's sketch shape: a first summary of another shape never decides its interval's (issue 10)", () => {
    const w = new FleetWindows<string>(1000, 60_000, { shape: { capacity: 64, precision: 12 } });
    expect(w.shape).toEqual({ capacity: 64, precision: 12 });
    const hostile = otherShape('h', 0, 9);
    const s = summarizerWithHosts([1], 10, { capacity: 64, precision: 12 });
    const a = buildSummaryMessage(s, {
      sensor: 'a',
      run: 'r',
      seq: 1,
      interface: 'eth0',
      start: 0,
      end: 1000,
      emitted: 0,
      kernelDropped: null,
      late: 0,
    });
    expect(w.add(hostile.message, hostile.sketches, 'h', 0)).toBe('shape');
    expect(w.add(a, SummarySketches.fromSummarizer(s).clone(), 'a', 0)).toBe('merged');
    // The default shape is the sensor's default, so it is "another shape" here too.
    const d = summary('d', 1, 0, [4], 10);
    expect(w.add(d.message, d.sketches, 'd', 0)).toBe('shape');
    const [due] = w.takeDue(1000);
    expect(due.summaries).toBe(1);
    expect(due.tokens).toEqual(['a']);
    expect(due.sketches.topLists(5).sources.map((h) => h.ip)).toEqual(['0.0.0.1']);
  });

  it('never merges one summary twice: held while open, acked at once once written', () => {
    const w = new FleetWindows<string>(1000, 60_000);
    const a = summary('a', 1, 0, [1], 10);
    expect(w.add(a.message, a.sketches, 'first', 0)).toBe('merged');
    expect(w.add(a.message, a.sketches, 'redelivered', 10)).toBe('held');
    const [due] = w.takeDue(1000);
    expect(due.summaries).toBe(1);
    expect(due.tokens).toEqual(['first', 'redelivered']);
    expect(w.settle(due, 1000)).toEqual(['first', 'redelivered']);
    expect(w.add(a.message, a.sketches, 'again', 2000)).toBe('duplicate');
  });

  it('a redelivery while its interval is being written is held with that write, not acknowledged as a duplicate (issue 11)', () => {
    const w = new FleetWindows<string>(1000, 60_000);
    const a = summary('a', 1, 0, [1], 10);
    w.add(a.message, a.sketches, 'first', 0);
    const [writing] = w.takeDue(1000);
    expect(w.add(a.message, a.sketches, 'redelivered', 1500)).toBe('held');
    expect([...w.heldTokens()]).toEqual(['first', 'redelivered']);
    // The write fails: both come back with the interval.
    w.retry(writing, 2000);
    const [again] = w.takeDue(3000);
    expect(again.tokens).toEqual(['first', 'redelivered']);
    expect(again.summaries).toBe(1);
    // It goes through: both are settled by it, and the interval is not written again.
    expect(w.add(a.message, a.sketches, 'redelivered again', 3500)).toBe('held');
    expect(w.settle(again, 4000)).toEqual(['first', 'redelivered', 'redelivered again']);
    expect(w.takeDue(10_000)).toEqual([]);
    expect([...w.heldTokens()]).toEqual([]);
  });

  it('a summary arriving while its interval is written is merged, and the interval written again whole once that write settles', () => {
    const w = new FleetWindows<string>(1000, 60_000);
    const a = summary('a', 1, 0, [1], 10);
    const b = summary('b', 1, 0, [1], 10);
    w.add(a.message, a.sketches, 'a', 0);
    const [first] = w.takeDue(1000);
    expect(w.add(b.message, b.sketches, 'b', 1100)).toBe('merged');
    // b's redelivery waits for the write that holds b, not the one in flight.
    expect(w.add(b.message, b.sketches, 'b again', 1200)).toBe('held');
    expect(w.takeDue(1300)).toEqual([]);
    expect(w.settle(first, 1400)).toEqual(['a']);
    const [second] = w.takeDue(1400);
    expect(second).toMatchObject({ start: 0, summaries: 2, tokens: ['b', 'b again'] });
    expect(second.sketches.topLists(1).sources[0].bytes).toBe(20);
    expect(w.settle(second, 1500)).toEqual(['b', 'b again']);
    expect(w.retainedIntervals).toBe(1);
  });

  it('a late summary reopens its interval with the earlier merge, so the rewrite is complete', () => {
    const w = new FleetWindows<string>(1000, 60_000);
    const a = summary('a', 1, 0, [1], 10);
    const b = summary('b', 1, 0, [1], 10);
    w.add(a.message, a.sketches, 'a', 0);
    const [due] = w.takeDue(1000);
    w.settle(due, 1000);
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

  it('lets go of a merge retained longer than retainMs: a summary of it is closed, not the start of a partial rewrite', () => {
    const w = new FleetWindows<string>(1000, 60_000);
    const a = summary('a', 1, 0, [1], 10);
    w.add(a.message, a.sketches, 'a', 0);
    const [due] = w.takeDue(1000);
    w.settle(due, 1000);
    w.forgetOld(61_000);
    expect(w.retainedIntervals).toBe(1);
    w.forgetOld(61_001);
    expect(w.retainedIntervals).toBe(0);
    expect(w.closedIntervals).toBe(1);
    const b = summary('b', 1, 0, [2], 10);
    expect(w.add(b.message, b.sketches, 'b', 62_000)).toBe('closed');
    expect(w.heldBytes).toBe(0);
  });

  it('remembers a bounded number of closed intervals, the oldest forgotten first', () => {
    const w = new FleetWindows<string>(1000, 0, { closedIntervals: 2 });
    for (const start of [0, 1000, 2000]) {
      const s = summary('a', start + 1, start, [1], 10);
      w.add(s.message, s.sketches, `a${start}`, 0);
    }
    for (const due of w.takeDue(1000)) w.settle(due, 1000);
    w.forgetOld(1001);
    expect(w.closedIntervals).toBe(2);
    const late = (start: number) => summary('b', start + 1, start, [2], 10);
    expect(w.add(late(1000).message, late(1000).sketches, 'b1000', 2000)).toBe('closed');
    expect(w.add(late(2000).message, late(2000).sketches, 'b2000', 2000)).toBe('closed');
    // Beyond the ring: a summary of it starts its interval afresh (documented as the bound).
    expect(w.add(late(0).message, late(0).sketches, 'b0', 2000)).toBe('merged');
  });

  describe('memory cap', () => {
    /**
     * A day of one-second intervals from one sensor, arriving far faster than the grace period, as
     * the collector takes them: after each summary, while over the cap, due intervals are written
     * (settled at once); every 50 summaries a regular flush. `onChecked` sees the state the merge
     * goes on from (back under the cap), with the tokens written since the last check.
     */
    function replay(w: FleetWindows<number>, intervals: number, onChecked: (written: number[]) => void) {
      const a = summary('a', 1, 0, [1, 2, 3], 100);
      const written: number[] = [];
      const writeDue = (now: number) => written.push(...w.takeDue(now).flatMap((d) => w.settle(d, now)));
      for (let i = 0; i < intervals; i++) {
        const message = { ...a.message, seq: i + 1, start: i * 1000, end: (i + 1) * 1000 };
        w.add(message, a.sketches, i, i);
        while (w.overCap) writeDue(i);
        if (i % 50 === 49) writeDue(i);
        onChecked(written.splice(0));
      }
      writeDue(intervals);
      onChecked(written.splice(0));
    }
    const held = (w: FleetWindows<number>) => w.openIntervals + w.writingIntervals + w.retainedIntervals;

    it('holds no more intervals than its cap: the oldest written early, in order, each once, and counted', () => {
      const w = new FleetWindows<number>(60_000, 10 * 60_000, {
        maxIntervals: 100,
        maxBytes: Number.POSITIVE_INFINITY,
      });
      const written: number[] = [];
      let most = 0;
      replay(w, 5000, (tokens) => {
        written.push(...tokens);
        most = Math.max(most, held(w));
      });
      expect(most).toBeLessThanOrEqual(100);
      expect(held(w)).toBeLessThanOrEqual(100);
      // Nothing lost: every summary's token handed over for writing once, oldest first.
      const stillOpen = 5000 - written.length;
      expect(written).toEqual(Array.from({ length: written.length }, (_, i) => i));
      expect(stillOpen).toBeLessThanOrEqual(100);
      expect(w.flushedEarly).toBe(written.length);
      expect(w.retainedDropped).toBeGreaterThanOrEqual(written.length - 100);
      expect(w.closedIntervals).toBe(w.retainedDropped);
    });

    it('holds no more estimated bytes than its cap, tokens included', () => {
      const one = summary('a', 1, 0, [1, 2, 3], 100);
      const perInterval = estimateSketchBytes(one.sketches.clone());
      const maxBytes = 20 * perInterval;
      const w = new FleetWindows<number>(60_000, 10 * 60_000, {
        maxIntervals: 1_000_000,
        maxBytes,
        tokenBytes: () => 1000,
      });
      let most = 0;
      replay(w, 3000, () => (most = Math.max(most, w.heldBytes)));
      expect(most).toBeLessThanOrEqual(maxBytes);
      expect(w.heldBytes).toBeGreaterThan(0);
      expect(held(w)).toBeLessThanOrEqual(21);
      expect(w.flushedEarly).toBeGreaterThan(2900);
    });

    it('counts and releases every retained merge it drops, never one being written; a late summary of one is closed', () => {
      const w = new FleetWindows<string>(1000, 60_000, { maxIntervals: 2, maxBytes: Number.POSITIVE_INFINITY });
      for (const start of [0, 1000, 2000]) {
        const s = summary('a', start + 1, start, [1], 10);
        w.add(s.message, s.sketches, `t${start}`, 0);
      }
      // Three open, cap two: the oldest goes early; its merge stays while it is written.
      const early = w.takeDue(0);
      expect(early.map((d) => d.start)).toEqual([0]);
      expect(w.flushedEarly).toBe(1);
      expect(w.retainedDropped).toBe(0);
      expect(w.takeDue(0)).toEqual([]);
      expect(w.writingIntervals).toBe(1);
      // Written: the next pass lets go of it.
      w.settle(early[0], 0);
      expect(w.takeDue(0)).toEqual([]);
      expect(w.retainedDropped).toBe(1);
      expect(w.openIntervals + w.retainedIntervals).toBe(2);
      expect(w.overCap).toBe(false);
      const late = summary('b', 1, 0, [1], 10);
      expect(w.add(late.message, late.sketches, 'late', 10)).toBe('closed');
    });

    it('an interval written early is never rewritten from part of its summaries: a later one of it is closed, counted (issue 11)', () => {
      const w = new FleetWindows<string>(1000, 60_000, { maxIntervals: 2, maxBytes: Number.POSITIVE_INFINITY });
      const a = summary('a', 1, 0, [1], 10);
      const b = summary('b', 1, 0, [2], 10);
      w.add(a.message, a.sketches, 'a', 0);
      w.add(b.message, b.sketches, 'b', 0);
      for (const start of [1000, 2000]) {
        const x = summary('x', start, start, [3], 10);
        w.add(x.message, x.sketches, `x${start}`, 0);
      }
      const [early] = w.takeDue(0);
      expect(early).toMatchObject({ start: 0, summaries: 2 });
      w.settle(early, 0);
      w.takeDue(1);
      // Another sensor's summary of it, after its merge left the retained set: a fresh merge of it
      // alone would overwrite the complete points.
      const c = summary('c', 1, 0, [4], 10);
      expect(w.add(c.message, c.sketches, 'c', 10)).toBe('closed');
      expect(w.takeDue(10_000).filter((d) => d.start === 0)).toEqual([]);
    });

    it('a write never lets go of its merge: a failed one is put back whole, even over the cap', () => {
      const w = new FleetWindows<string>(1000, 60_000, { maxIntervals: 1, maxBytes: Number.POSITIVE_INFINITY });
      const a = summary('a', 1, 0, [1], 10);
      const b = summary('a', 2, 1000, [1], 10);
      w.add(a.message, a.sketches, 'a', 0);
      w.add(b.message, b.sketches, 'b', 0);
      const [first] = w.takeDue(0);
      expect(first.start).toBe(0);
      expect(w.retainedDropped).toBe(0);
      w.retry(first, 0);
      const again = w.takeDue(5000).find((d) => d.start === 0)!;
      expect(again.tokens).toEqual(['a']);
      expect(again.summaries).toBe(1);
      expect(w.add(a.message, a.sketches, 'redelivered', 5000)).toBe('held');
      expect(w.settle(again, 5000)).toEqual(['a', 'redelivered']);
    });
  });
});
