/**
 * `pnpm bench [CAPTURE] [--runs N] [--tshark-runs N] [--skip-tshark] [--memory-scaling]`
 *
 * Times `wirewatch analyze` against tcpdump (a raw copy, the floor) and tshark (a full dissector)
 * on the same capture, in the same run, and prints a Markdown table: median wall time, packets/s,
 * time relative to tcpdump and peak RSS (see lib/measure.ts for how that is taken).
 * --memory-scaling also runs the analyzer on the capture's first quarter, to show that its memory
 * does not grow with the capture's length. Results go to stdout, progress to stderr.
 * The capture: argument, else $WIREWATCH_BENCH_PCAP, else /dev/shm/wwbench/big.pcap. See docs/benchmarks.md.
 */
import { buildCli } from '../../scripts/build-cli.mjs';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countPackets, sliceCapture } from './lib/capture.js';
import { measure } from './lib/measure.js';
import { commandTable, machine, markdown, medianSeconds, peakMiB, rate, type Row } from './lib/table.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const DEFAULT_PCAP = '/dev/shm/wwbench/big.pcap';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '3' },
    'tshark-runs': { type: 'string', default: '1' },
    'skip-tshark': { type: 'boolean', default: false },
    'memory-scaling': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log('usage: pnpm bench [CAPTURE] [--runs N] [--tshark-runs N] [--skip-tshark] [--memory-scaling]');
  process.exit(0);
}
const runs = Number(opts.runs);
const tsharkRuns = Number(opts['tshark-runs']);
if (!(Number.isInteger(runs) && runs > 0 && Number.isInteger(tsharkRuns) && tsharkRuns > 0)) {
  console.error('--runs and --tshark-runs take a positive integer');
  process.exit(2);
}

const pcap = resolve(positionals[0] ?? process.env.WIREWATCH_BENCH_PCAP ?? DEFAULT_PCAP);
if (!existsSync(pcap)) {
  console.error(`benchmark capture not found: ${pcap}
Build it (about a minute; needs Debian's python3-scapy) with:
  ../shared/bench/make-capture /dev/shm/wwbench
then run \`pnpm bench\` again, or pass another capture as an argument or in WIREWATCH_BENCH_PCAP.`);
  process.exit(2);
}

const outDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'wwbench-out-'));
const jsonOut = join(outDir, 'report.json');
// The CLI as `pnpm wirewatch` runs it: the esbuild bundle, built once here so no run pays for the build.
const bundle = await buildCli();
const analyzer = (file: string): string[] => [bundle, 'analyze', file, '--json', jsonOut];

/** Runs a command `n` times from the repo root; a failed run ends the row with its stderr. */
async function bench(label: string, command: string, args: string[], n: number): Promise<Row> {
  const row: Row = { label, runs: [] };
  for (let i = 1; i <= n; i++) {
    const m = await measure(command, args, repoRoot);
    if (m.exitCode !== 0) {
      row.failure = `failed (${m.signal ?? `exit ${m.exitCode}`})`;
      console.error(`${label}: ${row.failure}\n${m.stderrTail}`);
      return row;
    }
    row.runs.push(m);
    console.error(`${label} [${i}/${n}]: ${m.seconds.toFixed(2)} s, peak RSS ${(m.peakRssKiB / 1024).toFixed(0)} MB`);
  }
  return row;
}

/** Descendant processes seen (e.g. tsx's esbuild service), which the RSS column leaves out. */
function notes(rows: Row[]): string[] {
  return rows.flatMap((row) => {
    const seen = new Map<string, number>();
    for (const m of row.runs)
      for (const [name, kib] of m.descendants) seen.set(name, Math.max(seen.get(name) ?? 0, kib));
    const list = [...seen].map(([name, kib]) => `${name} ${(kib / 1024).toFixed(0)} MB`).join(', ');
    return list ? [`- ${row.label}: child processes not counted in peak RSS: ${list}`] : [];
  });
}

/** Packet count from our own report, to check the analyzer read the whole capture. */
function checkReport(expected: number): void {
  try {
    const packets = (JSON.parse(readFileSync(jsonOut, 'utf8')) as { packets?: unknown }).packets;
    if (packets !== expected)
      console.error(`warning: the analyzer reported ${String(packets)} packets, capinfos ${expected}`);
  } catch (err) {
    console.error(`warning: cannot read the analyzer's report ${jsonOut}: ${(err as Error).message}`);
  }
}

let failed = false;
try {
  const packets = countPackets(pcap);
  const name = basename(pcap);
  console.log(`## wirewatch analyze benchmark\n`);
  console.log(
    `${name}: ${packets} packets, ${(statSync(pcap).size / 1e9).toFixed(2)} GB; ${machine()}; median of ${runs} runs (tshark ${tsharkRuns})\n`,
  );

  const rows: Row[] = [
    await bench(`\`tcpdump -r ${name} -w /dev/null\``, 'tcpdump', ['-r', pcap, '-w', '/dev/null'], runs),
  ];
  if (!opts['skip-tshark']) {
    rows.push(
      await bench(`\`tshark -r ${name} -q -z io,phs\``, 'tshark', ['-r', pcap, '-q', '-z', 'io,phs'], tsharkRuns),
    );
  }
  const ours = await bench(`\`wirewatch analyze ${name} --json OUT\``, process.execPath, analyzer(pcap), runs);
  rows.push(ours);
  if (!ours.failure) checkReport(packets);

  console.log(commandTable(rows, packets));
  const n = notes(rows);
  if (n.length) console.log(`\n${n.join('\n')}`);
  failed = rows.some((r) => r.failure);

  if (opts['memory-scaling'] && !ours.failure) {
    const part = sliceCapture(pcap, Math.floor(packets / 4));
    const partPackets = countPackets(part);
    const quarter = await bench(`\`wirewatch analyze ${basename(part)}\``, process.execPath, analyzer(part), runs);
    if (quarter.failure) failed = true;
    else {
      checkReport(partPackets);
      const line = (input: string, row: Row, count: number): string[] => [
        input,
        String(count),
        medianSeconds(row).toFixed(2),
        rate(count, medianSeconds(row)),
        peakMiB(row).toFixed(0),
      ];
      console.log(`\n### Memory scaling\n`);
      console.log(
        markdown(
          ['input', 'packets', 'median s', 'packets/s', 'peak RSS MB'],
          [
            line(`first quarter (${basename(part)})`, quarter, partPackets),
            line(`whole file (${name})`, ours, packets),
          ],
        ),
      );
      console.log(
        `\nWhole file / first quarter: ${(packets / partPackets).toFixed(1)}× the packets, ${(peakMiB(ours) / peakMiB(quarter)).toFixed(2)}× the peak RSS.`,
      );
    }
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
