import type { AnalysisReport } from '@wirewatch/report';
import type { Census } from './tshark-census.js';

export interface Mismatch {
  field: string;
  ours: unknown;
  tshark: unknown;
}

/** Differences between our report and tshark's census of the same file: totals, classes, every source. */
export function compareWithTshark(report: AnalysisReport, census: Census): Mismatch[] {
  const out: Mismatch[] = [];
  if (report.packets !== census.packets) out.push({ field: 'packets', ours: report.packets, tshark: census.packets });
  if (report.bytes !== census.bytes) out.push({ field: 'bytes', ours: report.bytes, tshark: census.bytes });
  for (const [cls, ours] of Object.entries(report.protocols)) {
    const theirs = census.classes[cls] ?? { packets: 0, bytes: 0 };
    if (ours.packets !== theirs.packets || ours.bytes !== theirs.bytes)
      out.push({ field: `protocols.${cls}`, ours, tshark: theirs });
  }
  const ourSources = new Map(report.top_sources.map((h) => [h.ip, h]));
  const addresses = new Set([...ourSources.keys(), ...Object.keys(census.sources)]);
  for (const ip of addresses) {
    const ours = ourSources.get(ip);
    const theirs = census.sources[ip];
    if (ours?.packets !== theirs?.packets || ours?.bytes !== theirs?.bytes) {
      out.push({ field: `sources[${ip}]`, ours: ours && { packets: ours.packets, bytes: ours.bytes }, tshark: theirs });
    }
  }
  return out;
}
