import type { CaptureRecord, PacketSource } from '@wirewatch/capture';
import { describe, expect, it } from 'vitest';
import { InterfacePipeline, type ClockStep, type ClosedInterval } from './interface-pipeline.js';

const SECOND = 1000;
const DAY = 86_400 * SECOND;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A live source whose frames the test delivers by hand. */
class HandSource implements PacketSource {
  readonly name = 'eth-test';
  private deliver: ((record: CaptureRecord) => void) | undefined;
  private end: (() => void) | undefined;
  run(onPacket: (record: CaptureRecord) => void): Promise<void> {
    this.deliver = onPacket;
    return new Promise((resolve) => (this.end = resolve));
  }
  stop(): void {
    this.end?.();
  }
  stats() {
    return { received: 0, kernelDropped: null, interfaceDropped: null };
  }
  /** A 60-byte Ethernet frame stamped `timeMs`. */
  frame(timeMs: number): void {
    const data = Buffer.alloc(60);
    this.deliver!({ data, offset: 0, caplen: 60, origLen: 60, timestamp: timeMs / 1000, linkType: 1 });
  }
}

function livePipeline(clock: { now: number }) {
  const source = new HandSource();
  const closed: Array<Pick<ClosedInterval, 'start' | 'end' | 'late'> & { packets: number }> = [];
  const steps: ClockStep[] = [];
  const pipeline = new InterfacePipeline({
    source,
    intervalMs: SECOND,
    sketch: {},
    clock: 'wall',
    now: () => clock.now,
    emit: (i) => closed.push({ start: i.start, end: i.end, late: i.late, packets: i.summarizer.counters.packets }),
    onClockStep: (s) => steps.push(s),
  });
  const running = pipeline.run();
  return { source, pipeline, closed, steps, running };
}

describe('InterfacePipeline on a wall clock that steps', () => {
  it.each([
    ['one day', DAY],
    ['ten years', 3653 * DAY],
  ])(
    'a forward step of %s closes the open interval, reports one gap and opens the present one',
    async (_name, step) => {
      const clock = { now: T0 + 200 };
      const { source, pipeline, closed, steps, running } = livePipeline(clock);
      source.frame(T0 + 300);
      clock.now = T0 + SECOND + 200;
      pipeline.onTick();
      expect(closed).toHaveLength(1);

      clock.now += step;
      const started = performance.now();
      pipeline.onTick();
      expect(performance.now() - started).toBeLessThan(50);
      expect(closed).toHaveLength(2); // the interval open at the step, not one per missed interval
      expect(steps).toEqual([
        {
          interface: 'eth-test',
          direction: 'forward',
          from: T0 + 2 * SECOND,
          to: T0 + step + SECOND,
          skippedIntervals: step / SECOND - 1,
        },
      ]);
      expect(pipeline.clockSteps).toEqual({ forward: 1, backward: 0, skippedMs: step - SECOND });

      // Capture goes on in the present: frames land in the new interval, which closes on time.
      source.frame(clock.now + 100);
      clock.now += SECOND;
      pipeline.onTick();
      expect(closed.at(-1)).toMatchObject({ start: T0 + step + SECOND, packets: 1, late: 0 });
      pipeline.stop();
      await running;
    },
  );

  it('a frame stamped after a forward step, arriving before the tick, also makes one gap', async () => {
    const clock = { now: T0 + 200 };
    const { source, pipeline, closed, steps, running } = livePipeline(clock);
    clock.now += DAY;
    source.frame(clock.now);
    expect(closed).toHaveLength(1);
    expect(steps).toHaveLength(1);
    expect(closed[0]).toMatchObject({ start: T0, packets: 0 });
    pipeline.stop();
    await running;
    expect(closed.at(-1)).toMatchObject({ start: T0 + DAY, packets: 1 });
  });

  it('a short stall still emits each missed interval (no gap)', async () => {
    const clock = { now: T0 + 200 };
    const { pipeline, closed, steps, running } = livePipeline(clock);
    clock.now = T0 + 4 * SECOND + 200;
    pipeline.onTick();
    expect(closed.map((c) => c.start)).toEqual([T0, T0 + SECOND, T0 + 2 * SECOND, T0 + 3 * SECOND]);
    expect(steps).toEqual([]);
    pipeline.stop();
    await running;
  });

  it('a backward step closes the open interval at once and goes on from the new time, without garbage intervals', async () => {
    const clock = { now: T0 + 200 };
    const { source, pipeline, closed, steps, running } = livePipeline(clock);
    source.frame(T0 + 300);
    clock.now = T0 - 3600 * SECOND + 500; // an hour back
    pipeline.onTick();
    expect(closed).toEqual([{ start: T0, end: T0 + SECOND, late: 0, packets: 1 }]);
    expect(steps).toMatchObject([{ direction: 'backward', from: T0, to: clock.now }]);
    source.frame(clock.now + 100);
    clock.now = T0 - 3599 * SECOND + 200;
    pipeline.onTick();
    // The interval after the step holds its frame (not counted late), and every interval has start < end.
    expect(closed[1]).toEqual({ start: T0 - 3600 * SECOND, end: T0 - 3599 * SECOND, late: 0, packets: 1 });
    pipeline.stop();
    await running;
    for (const c of closed) expect(c.end - c.start).toBe(SECOND);
    expect(pipeline.clockSteps).toMatchObject({ backward: 1, forward: 0 });
  });
});
