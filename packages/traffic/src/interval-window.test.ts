import { describe, expect, it } from 'vitest';
import { IntervalWindow } from './interval-window.js';

const SECOND = 1000;
const DAY = 86_400 * SECOND;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('IntervalWindow.follow', () => {
  it('opens the next interval in line when the clock is on time or a few intervals behind', () => {
    const w = new IntervalWindow(SECOND);
    w.openAt(T0 + 300);
    expect([w.start, w.end]).toEqual([T0, T0 + SECOND]);
    expect(w.follow(w.end, T0 + SECOND + 150)).toEqual({ kind: 'next' });
    expect([w.start, w.end]).toEqual([T0 + SECOND, T0 + 2 * SECOND]);
    // A stall of 5 s: still the next interval (the caller steps through them).
    expect(w.follow(w.end, T0 + 7 * SECOND)).toEqual({ kind: 'next' });
    expect(w.start).toBe(T0 + 2 * SECOND);
  });

  it.each([
    ['one day', DAY],
    ['ten years', 3653 * DAY],
  ])('jumps a forward step of %s in one call, reporting the skipped span once', (_name, step) => {
    const w = new IntervalWindow(SECOND);
    w.openAt(T0);
    const now = T0 + SECOND + step + 400;
    const result = w.follow(w.end, now);
    expect(result).toEqual({ kind: 'gap', from: T0 + SECOND, to: T0 + SECOND + step, intervals: step / SECOND });
    // The window holds the present, so nothing more is owed.
    expect(w.start).toBeLessThanOrEqual(now);
    expect(w.end).toBeGreaterThan(now);
  });

  it('treats more than maxFill intervals behind as a gap', () => {
    const w = new IntervalWindow(SECOND, 3);
    w.openAt(T0);
    expect(w.follow(T0 + SECOND, T0 + 4 * SECOND).kind).toBe('next');
    expect(w.follow(w.end, w.end + 4 * SECOND)).toMatchObject({ kind: 'gap', intervals: 4 });
  });
});

describe('IntervalWindow.steppedBack', () => {
  it('is true only when the clock reads more than one interval before the open interval', () => {
    const w = new IntervalWindow(SECOND);
    w.openAt(T0);
    expect(w.steppedBack(T0 + 500)).toBe(false);
    expect(w.steppedBack(T0 - 900)).toBe(false); // a small step back: frames count as late
    expect(w.steppedBack(T0 - 1500)).toBe(true);
    expect(w.steppedBack(T0 - DAY)).toBe(true);
    w.close();
    expect(w.steppedBack(T0 - DAY)).toBe(false);
  });
});
