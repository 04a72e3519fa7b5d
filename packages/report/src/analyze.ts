import { basename } from 'node:path';
import { DecodedPacket, decodeRecord, linkTypeName, openCaptureFile } from '@wirewatch/packet';
import { ExactSummarizer, IntervalSummarizer, Timeline, type SummaryView } from '@wirewatch/traffic';
import { REPORT_VERSION, type AnalysisReport } from './schema.js';
import { summarySection } from './summary-section.js';

export interface AnalyzeOptions {
  /** Timeline bucket width in seconds (default 1). */
  intervalSeconds?: number;
  /** Length of the top lists (default 10). */
  topN?: number;
  /** How many of the busiest flows the report lists (default 100; the CSV holds all). */
  topFlows?: number;
  /** Called every few thousand packets with bytes read so far and the file's size. */
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
}

export interface Analysis {
  report: AnalysisReport;
  /** The exact summarizer, for exports that need every flow. */
  summarizer: ExactSummarizer;
}

const GENERATOR = 'wirewatch analyze';
const PROGRESS_EVERY = 0x3fff;

/**
 * Reads a whole capture through the decoder and the exact summarizer, as one interval (the
 * timeline adds per-interval totals). Synchronous and allocation-free per packet; throws
 * CaptureFormatError only when the file cannot be read at all.
 */
export function analyzeCaptureFile(path: string, options: AnalyzeOptions = {}): Analysis {
  const intervalSeconds = options.intervalSeconds ?? 1;
  const topN = options.topN ?? 10;
  const timeline = new Timeline(intervalSeconds);
  const reader = openCaptureFile(path);
  const size = reader.size;
  let view: SummaryView | undefined;
  const capture = new IntervalSummarizer(new ExactSummarizer(), {
    clock: 'whole',
    onClose: (i) => (view = i.summarizer.view(topN)),
  });
  const d = new DecodedPacket();
  let count = 0;
  try {
    while (reader.next()) {
      decodeRecord(d, reader);
      timeline.add(d, capture.add(d));
      if ((++count & PROGRESS_EVERY) === 0 && options.onProgress) options.onProgress(reader.position, size);
    }
  } finally {
    reader.close();
  }
  options.onProgress?.(reader.position, size);
  capture.finish();
  const summarizer = capture.summarizer;
  const hasPackets = count > 0;
  const { first, last } = timeline;
  const report: AnalysisReport = {
    version: REPORT_VERSION,
    generator: GENERATOR,
    capture: {
      file: basename(path),
      format: reader.format,
      link_types: [...reader.linkTypes].map(linkTypeName),
      first_packet: hasPackets ? round6(first) : null,
      last_packet: hasPackets ? round6(last) : null,
      duration_seconds: hasPackets ? round6(last - first) : 0,
      truncated: reader.truncated,
      warnings: [...reader.warnings],
    },
    ...summarySection(view!),
    interval_seconds: intervalSeconds,
    timeline: timeline.points(),
    top_flows: summarizer.flows
      .flows(options.topFlows ?? 100)
      .map((f) => ({ ...f, first_seen: round6(f.first_seen), last_seen: round6(f.last_seen) })),
  };
  return { report, summarizer };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
