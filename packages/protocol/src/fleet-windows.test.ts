import { describe, expect, it } from 'vitest';
import { summarizerWithHosts } from '../../traffic/src/testing/hosts.js';
import { buildSummaryMessage } from './codec.js';
import { FleetWindows } from './fleet-windows.js';
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
});
