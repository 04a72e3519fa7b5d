/**
 * `pnpm exec tsx tests/bench/live-capture.bench.ts [--packets N] [--runs N] [--buffer-mb LIST]`  (as root)
 *
 * How much of a `tcpreplay --topspeed` burst on lo each capture peer keeps, in the same run:
 * tcpdump (the C reference), a bare `cap` loop that only counts, and the sensor's path (LiveCapture →
 * decodeRecord → SketchSummarizer.add). The capture is N small UDP frames (default 500,000) to a
 * port nothing else uses, and every peer filters on it. Each run replays the file once per peer, one
 * peer at a time; the Node peers run as their own processes from an esbuild bundle (live/bundle.ts).
 * "kernel drops" are ring-slot drops as the kernel counts them (PACKET_STATISTICS, what tcpdump prints
 * as "dropped by kernel"): on lo each packet takes two slots, outgoing and incoming copy.
 * Results (Markdown) go to stdout, progress to stderr. See docs/benchmarks.md.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeUdpCapture } from '@wirewatch/capture/testing';
import { machine, markdown, median } from './lib/table.js';
import { bundlePeer } from './live/bundle.js';
import { NodePeer } from './live/node-peer.js';
import { TcpdumpPeer } from './live/tcpdump-peer.js';
import { tcpreplay, type ReplayResult } from './live/tcpreplay.js';

/** tcpdump reads the kernel ring in blocks handed over when full or after its 1 s timeout: wait longer than that. */
const TCPDUMP_QUIET_MS = 1500;

const { values: opts } = parseArgs({
  options: {
    packets: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '3' },
    'buffer-mb': { type: 'string', default: '64' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log('usage: pnpm exec tsx tests/bench/live-capture.bench.ts [--packets N] [--runs N] [--buffer-mb 64,256]');
  process.exit(0);
}
const packets = Number(opts.packets);
const runs = Number(opts.runs);
const buffers = opts['buffer-mb'].split(',').map(Number);
if (!(
  Number.isInteger(packets) &&
  packets > 0 &&
  Number.isInteger(runs) &&
  runs > 0 &&
  buffers.every((b) => b >= 1 && b <= 2047)
)) {
  console.error('--packets and --runs take positive integers, --buffer-mb a comma-separated list of 1..2047');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('live capture and tcpreplay need root');
  process.exit(2);
}

interface Trial {
  peer: string;
  replay: ReplayResult;
  seen: number;
  kernelDropped: number | null;
  /** Node peers: CPU seconds per million packets seen, and the longest event-loop stall. */
  cpuUsPerPacket?: number;
  maxStallMs?: number;
}

type Peer = { label: string; run: (file: string, port: number) => Promise<Trial> };

const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'wwbench-live-'));
const bundle = await bundlePeer();
try {
  const port = 20000 + Math.floor(Math.random() * 40000);
  const file = join(work, 'udp.pcap');
  console.error(`writing ${packets} UDP frames to 127.0.0.1:${port} in ${file}`);
  writeUdpCapture(
    file,
    Float64Array.from({ length: packets }, (_, i) => 1_700_000_000 + i * 1e-6),
    port,
  );

  const peers: Peer[] = [
    {
      label: 'tcpdump -B 65536 (64 MiB)',
      run: async (f, p) => {
        const tcpdump = await TcpdumpPeer.start(p, 64);
        const replay = await tcpreplay(f);
        const counts = await tcpdump.drainAndStop(TCPDUMP_QUIET_MS);
        return { peer: '', replay, seen: counts.captured, kernelDropped: counts.droppedByKernel };
      },
    },
    ...buffers.flatMap((mb) =>
      (['cap-loop', 'sensor-path'] as const).map((kind) => ({
        label: `${kind === 'cap-loop' ? 'bare cap loop' : 'LiveCapture + decodeRecord + SketchSummarizer'} (${mb} MiB)`,
        run: async (f: string, p: number): Promise<Trial> => {
          const peer = await NodePeer.start(bundle.path, kind, p, mb);
          const replay = await tcpreplay(f);
          const r = await peer.drainAndStop();
          const cpuUsPerPacket = (r.cpuSeconds * 1e6) / r.seen;
          return {
            peer: '',
            replay,
            seen: r.seen,
            kernelDropped: r.kernelDropped,
            cpuUsPerPacket,
            maxStallMs: r.maxEventLoopDelayMs,
          };
        },
      })),
    ),
  ];

  console.log(`## Live capture on lo: ${packets} UDP packets from tcpreplay --topspeed\n`);
  console.log(`${machine()}; ${runs} runs, peers one at a time\n`);
  const trials: Trial[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const peer of peers) {
      const t = { ...(await peer.run(file, port)), peer: peer.label };
      trials.push(t);
      console.error(
        `[${run}/${runs}] ${t.peer}: ${t.seen}/${t.replay.sent} at ${Math.round(t.replay.pps)} pps, kernel drops ${t.kernelDropped ?? 'n/a'}`,
      );
    }
  }

  const pct = (t: Trial): number => (100 * t.seen) / t.replay.sent;
  console.log(
    markdown(
      ['peer', 'run', 'sent', 'seen', 'kept', 'kernel drops', 'tcpreplay pps', 'CPU µs/packet', 'longest stall ms'],
      trials.map((t, i) => [
        t.peer,
        String(Math.floor(i / peers.length) + 1),
        String(t.replay.sent),
        String(t.seen),
        `${pct(t).toFixed(2)}%`,
        t.kernelDropped === null ? 'n/a' : String(t.kernelDropped),
        String(Math.round(t.replay.pps)),
        t.cpuUsPerPacket === undefined ? '' : t.cpuUsPerPacket.toFixed(2),
        t.maxStallMs === undefined ? '' : t.maxStallMs.toFixed(1),
      ]),
    ),
  );
  console.log('\nMedian over runs:\n');
  console.log(
    markdown(
      ['peer', 'kept (median)', 'kept (worst)', 'tcpreplay pps (median)'],
      peers.map(({ label }) => {
        const mine = trials.filter((t) => t.peer === label);
        const rate = Math.round(median(mine.map((t) => t.replay.pps)));
        return [
          label,
          `${median(mine.map(pct)).toFixed(2)}%`,
          `${Math.min(...mine.map(pct)).toFixed(2)}%`,
          String(rate),
        ];
      }),
    ),
  );
} finally {
  bundle.remove();
  rmSync(work, { recursive: true, force: true });
}
