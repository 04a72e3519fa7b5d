import { describe, expect, it } from 'vitest';
import { advance, type AlertRecord, type Timing } from './lifecycle.js';

const HOLD: Timing = { forMs: 30_000, repeatMs: 60_000 };

/** Runs the machine over (time, condition) steps and returns the events as `state@time[flags]`. */
function run(steps: [number, boolean, boolean?][], timing: Timing = HOLD): string[] {
  let record: AlertRecord | undefined;
  const events: string[] = [];
  for (const [at, active, silenced = false] of steps) {
    const step = advance(record, active, at, timing, silenced);
    record = step.record;
    if (step.event)
      events.push(
        `${step.event.state}@${at}${step.event.repeat ? ' repeat' : ''}${step.event.silenced ? ' silenced' : ''}`,
      );
  }
  return events;
}

describe('alert lifecycle', () => {
  it('goes pending, fires after the hold, repeats, resolves', () => {
    expect(
      run([
        [0, true],
        [10_000, true],
        [30_000, true],
        [60_000, true],
        [90_000, true],
        [95_000, false],
        [96_000, false],
      ]),
    ).toEqual(['pending@0', 'firing@30000', 'firing@90000 repeat', 'resolved@95000']);
  });

  it('forgets a pending alert whose condition goes before the hold, silently', () => {
    expect(
      run([
        [0, true],
        [20_000, false],
        [25_000, true],
        [50_000, true],
        [55_000, true],
      ]),
    ).toEqual(['pending@0', 'pending@25000', 'firing@55000']);
  });

  it('fires at once without a hold, and never repeats without a repeat interval', () => {
    expect(
      run(
        [
          [0, true],
          [1_000_000, true],
          [1_000_001, false],
        ],
        { forMs: 0, repeatMs: null },
      ),
    ).toEqual(['firing@0', 'resolved@1000001']);
  });

  it('flags what happens under a silence and announces a firing alert once the silence ends', () => {
    expect(
      run([
        [0, true, true],
        [30_000, true, true],
        [40_000, true, true],
        [50_000, true],
        [60_000, true],
        [70_000, false],
      ]),
    ).toEqual(['pending@0 silenced', 'firing@30000 silenced', 'firing@50000', 'resolved@70000']);
  });

  it('flags the resolution of an alert that was never announced', () => {
    expect(
      run([
        [0, true, true],
        [30_000, true, true],
        [40_000, false],
      ]),
    ).toEqual(['pending@0 silenced', 'firing@30000 silenced', 'resolved@40000 silenced']);
  });
});
