/** Summaries of repeated runs and their Markdown rendering. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import type { Measurement } from './measure.js';

export interface Row {
  label: string;
  runs: Measurement[];
  /** Set when a run failed; the row then shows this instead of figures. */
  failure?: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const medianSeconds = (row: Row): number => median(row.runs.map((r) => r.seconds));

/** Highest VmHWM over the runs, in MiB. */
export const peakMiB = (row: Row): number => Math.max(...row.runs.map((r) => r.peakRssKiB)) / 1024;

export function rate(packets: number, seconds: number): string {
  const pps = packets / seconds;
  return pps >= 1e6 ? `${(pps / 1e6).toFixed(2)} M` : `${(pps / 1e3).toFixed(0)} k`;
}

export function markdown(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The table of the main benchmark: one line per command, times relative to the first row. */
export function commandTable(rows: Row[], packets: number): string {
  const base = rows[0] && !rows[0].failure ? medianSeconds(rows[0]) : NaN;
  const body = rows.map((row) => {
    if (row.failure) return [row.label, row.failure, '', '', ''];
    const s = medianSeconds(row);
    return [
      row.label,
      s.toFixed(2),
      rate(packets, s),
      Number.isNaN(base) ? '' : `${(s / base).toFixed(1)}×`,
      peakMiB(row).toFixed(0),
    ];
  });
  return markdown(['command', 'median s', 'packets/s', 'time ÷ tcpdump', 'peak RSS MB'], body);
}

/** Machine, date and load line for the report (other work on the machine skews the figures). */
export function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    model = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    /* keep os.cpus() */
  }
  const load = loadavg()[0].toFixed(2);
  return `${availableParallelism()} CPUs (nproc), ${model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${load} at start`;
}
