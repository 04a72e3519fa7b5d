import { DecodedPacket, NET_IPV4 } from '@wirewatch/packet';
import { describe, expect, it } from 'vitest';
import { ExactSummarizer } from './exact-summarizer.js';
import { IntervalSummarizer, type ClockStep } from './interval-summarizer.js';
import { SketchSummarizer } from './sketch-summarizer.js';

const SECOND = 1000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A 100-byte IPv4 frame from 10.0.0.1 stamped `ms`. */
function at(ms: number): DecodedPacket {
  const d = new DecodedPacket();
  d.reset(1);
  d.network = NET_IPV4;
  d.hasSource = true;
  d.src0 = 0x0a000001;
  d.timestamp = ms / 1000;
  d.wireLength = d.capturedLength = 100;
  return d;
}

type Closed = { start: number; end: number; late: number; packets: number; sources: number };

function intervals(clock: 'wall' | 'packets' | 'whole') {
  const closed: Closed[] = [];
  const steps: ClockStep[] = [];
  const onClose = ({
    start,
    end,
    late,
    summarizer,
  }: {
    start: number;
    end: number;
    late: number;
    summarizer: SketchSummarizer;
  }) =>
    closed.push({
      start,
      end,
      late,
      packets: summarizer.counters.packets,
      sources: summarizer.view(5).top.sources.length,
    });
  const summarizer = new SketchSummarizer({ capacity: 16 });
  const s =
    clock === 'whole'
      ? new IntervalSummarizer(summarizer, { clock, onClose })
      : new IntervalSummarizer(summarizer, {
          clock,
          intervalMs: SECOND,
          onClose,
          onClockStep: (step) => steps.push(step),
        });
  return { s, closed, steps };
}

describe('IntervalSummarizer', () => {
  it("clock 'packets': a frame past the interval closes it, frames stamped before it count as late, finish closes the last", () => {
    const { s, closed } = intervals('packets');
    for (const ms of [T0 + 100, T0 + 900, T0 + 2500, T0 + 1200, T0 + 2600]) s.add(at(ms));
    expect(closed).toEqual([{ start: T0, end: T0 + SECOND, late: 0, packets: 2, sources: 1 }]);
    s.finish();
    // No interval for the silent second between; the frame stamped in it arrived late and counts in the open one.
    expect(closed[1]).toEqual({ start: T0 + 2 * SECOND, end: T0 + 3 * SECOND, late: 1, packets: 3, sources: 1 });
    // The last interval's summarizer is left for the caller to read on.
    expect(s.summarizer.counters.packets).toBe(3);
  });

  it("clock 'packets': no frames, no interval", () => {
    const { s, closed } = intervals('packets');
    s.finish();
    expect(closed).toEqual([]);
  });

  it("clock 'wall': every interval closes, empty ones too, and a jump ahead is one gap", () => {
    const { s, closed, steps } = intervals('wall');
    s.start(T0 + 50);
    s.add(at(T0 + 300));
    s.tick(T0 + 3 * SECOND + 200); // a short stall: each missed interval on its own
    expect(closed.map((c) => [c.start, c.packets])).toEqual([
      [T0, 1],
      [T0 + SECOND, 0],
      [T0 + 2 * SECOND, 0],
    ]);
    s.tick(T0 + 3600 * SECOND);
    expect(steps).toMatchObject([{ direction: 'forward', from: T0 + 4 * SECOND }]);
    expect(s.clockSteps.forward).toBe(1);
    s.finish();
    expect(closed.at(-1)!.end - closed.at(-1)!.start).toBe(SECOND);
  });

  it("clock 'whole': one interval over all the input, from the first frame to the last, even out of order", () => {
    const closed: Array<{ start: number; end: number; flows: number }> = [];
    const s = new IntervalSummarizer(new ExactSummarizer(), {
      clock: 'whole',
      onClose: (i) => closed.push({ start: i.start, end: i.end, flows: i.summarizer.flows.size }),
    });
    for (const ms of [T0 + 5000, T0 + 100, T0 + 86_400_000]) s.add(at(ms));
    expect(closed).toEqual([]);
    s.finish();
    expect(closed).toEqual([{ start: T0 + 100, end: T0 + 86_400_001, flows: 1 }]);
    const empty = intervals('whole');
    empty.s.finish();
    expect(empty.closed).toEqual([{ start: 0, end: 0, late: 0, packets: 0, sources: 0 }]);
  });
});
