/**
 * `analyze --csv` on a capture with millions of flows (issue 11): every flow used to become a JS
 * object before the CSV writer saw it, and 20 M flows ended in a V8 heap abort with nothing written.
 * Here 1 M flows run with the CLI's heap capped at 96 MB, where that code aborts; the flows are
 * now ranked and written from the flow table's typed arrays, one row at a time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { hasSecondPacket, writeManyFlowsCapture, type ManyFlowsCapture } from './analyze-many-flows-capture.js';

const FLOWS = 1_000_000;
const HEAP_MB = 96;
const FIRST_SOURCE = 0x0a000000;

let bundle: string;
let dir: string;
let capture: string;
let made: ManyFlowsCapture;

beforeAll(async () => {
  bundle = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-many-flows-'));
  capture = join(dir, 'many-flows.pcap');
  made = writeManyFlowsCapture(capture, FLOWS);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function ipv4(text: string): number {
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

describe('analyze on a capture with a million flows, the heap capped', () => {
  it(`--csv and --json in ${HEAP_MB} MB of heap: flows.csv holds every flow written, once, busiest first; the report agrees`, () => {
    const out = join(dir, 'csv');
    const json = join(dir, 'report.json');
    const run = spawnSync(
      process.execPath,
      [`--max-old-space-size=${HEAP_MB}`, bundle, 'analyze', capture, '--no-progress', '--csv', out, '--json', json],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const lines = readFileSync(join(out, 'flows.csv'), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('src,dst,sport,dport,proto,packets,bytes,first_seen,last_seen');
    expect(lines.length - 1).toBe(FLOWS);
    // Checked row by row without expect() (a million of them would take most of a minute); the first bad row is reported.
    const seen = new Uint8Array(FLOWS);
    let previousBytes = Number.POSITIVE_INFINITY;
    let packets = 0;
    let bad: string | undefined;
    for (let row = 1; row < lines.length && !bad; row++) {
      const [src, dst, sport, dport, proto, count, bytes] = lines[row].split(',');
      const flow = (ipv4(src) - FIRST_SOURCE) * 4 + (Number(sport) - 40_000);
      if (!(flow >= 0 && flow < FLOWS) || seen[flow])
        bad = `row ${row} is no flow written, or one seen before: ${lines[row]}`;
      else if (
        dst !== '198.51.100.1' ||
        dport !== '9' ||
        proto !== '17' ||
        Number(count) !== (hasSecondPacket(flow) ? 2 : 1)
      )
        bad = `row ${row}: ${lines[row]}`;
      else if (Number(bytes) > previousBytes) bad = `row ${row} is busier than the one before: ${lines[row]}`;
      seen[flow] = 1;
      previousBytes = Number(bytes);
      packets += Number(count);
    }
    expect(bad).toBeUndefined();
    expect(packets).toBe(made.packets);
    // The busiest flows have two packets; among equals, the lower key first: flow 1000 is 10.0.0.250:40000.
    expect(lines[1]).toMatch(/^10\.0\.0\.250,198\.51\.100\.1,40000,9,17,2,84,/);

    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      packets: number;
      cardinalities: { flows: number };
      top_flows: { src: string; sport: number; packets: number }[];
    };
    expect(report.packets).toBe(made.packets);
    expect(report.cardinalities.flows).toBe(FLOWS);
    expect(report.top_flows).toHaveLength(100);
    expect(report.top_flows.map((f) => `${f.src},${f.sport}`)).toEqual(
      lines.slice(1, 101).map((l) =>
        l
          .split(',')
          .filter((_, i) => i === 0 || i === 2)
          .join(','),
      ),
    );
  }, 60_000);

  it.skipIf(spawnSync('tshark', ['--version']).status !== 0)(
    'the capture holds the flows it says: tshark counts as many UDP conversations in a small one',
    () => {
      const small = join(dir, 'small.pcap');
      const written = writeManyFlowsCapture(small, 3000);
      const tshark = spawnSync('tshark', ['-r', small, '-q', '-z', 'conv,udp'], { encoding: 'utf8' });
      expect(tshark.status, tshark.stderr).toBe(0);
      expect(tshark.stdout.split('\n').filter((l) => l.includes('<->'))).toHaveLength(written.flows);
      const out = join(dir, 'small-csv');
      const run = spawnSync(process.execPath, [bundle, 'analyze', small, '--no-progress', '--csv', out], {
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      expect(readFileSync(join(out, 'flows.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(written.flows + 1);
    },
    30_000,
  );
});
