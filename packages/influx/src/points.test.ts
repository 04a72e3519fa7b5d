import { describe, expect, it } from 'vitest';
import { buildSummaryMessage, summaryViewOf } from '@wirewatch/protocol';
import { SketchSummarizer } from '@wirewatch/traffic';
import { fleetTopLines, runOffsetNs, summaryLines, timestampNs } from './points.js';

const START = 1_700_000_000_000;

function summaryOf(run: string) {
  const m = buildSummaryMessage(new SketchSummarizer({ capacity: 8, precision: 4 }), {
    sensor: 's1',
    run,
    seq: 1,
    interface: 'eth0',
    start: START,
    end: START + 10_000,
    emitted: START + 10_000,
    kernelDropped: 0,
    late: 0,
  });
  return summaryLines(
    m,
    summaryViewOf(m, { sources: [], destinations: [], conversations: [], ports: [], dns_names: [] }),
  );
}

const timestampOf = (l: string) => l.slice(l.lastIndexOf(' ') + 1);

describe('point timestamps', () => {
  it('two runs of one interval get distinct nanosecond timestamps within the interval start millisecond; one run always the same', () => {
    const a = summaryOf('a1b2c3d4e5f6');
    const b = summaryOf('0f9e8d7c6b5a');
    expect(a.length).toBeGreaterThan(2);
    const ta = new Set(a.map(timestampOf));
    const tb = new Set(b.map(timestampOf));
    expect(ta.size).toBe(1);
    expect(tb.size).toBe(1);
    const [at] = ta;
    const [bt] = tb;
    expect(at).not.toBe(bt);
    for (const t of [at, bt]) {
      expect(t).toHaveLength(19);
      expect(t.slice(0, 13)).toBe(String(START));
    }
    expect(summaryOf('a1b2c3d4e5f6')).toEqual(a);
  });

  it('the offset stays below a millisecond and spreads runs apart', () => {
    const offsets = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const o = runOffsetNs(i.toString(16).padStart(12, '0'));
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThan(1_000_000);
      offsets.add(o);
    }
    expect(offsets.size).toBeGreaterThan(995);
  });

  it('fleet-wide points sit on the interval start millisecond exactly', () => {
    expect(timestampNs(START)).toBe(`${START}000000`);
    const lines = fleetTopLines(
      START,
      {
        sources: [{ ip: '10.0.0.1', packets: 3, bytes: 60 }],
        destinations: [],
        conversations: [],
        ports: [],
        dns_names: [],
      },
      2,
    );
    expect(lines.map(timestampOf)).toEqual([`${START}000000`]);
  });
});
