import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzeCaptureFile, renderHtmlReport, timelineCsv, writeFlowsCsv } from '@wirewatch/report';
import { fileProgress } from '../progress.js';
import { printSummary } from './print-summary.js';

interface AnalyzeFlags {
  json?: string;
  csv?: string;
  html?: string;
  interval: number;
  top: number;
  progress: boolean;
}

export async function runAnalyze(file: string, flags: AnalyzeFlags): Promise<void> {
  const progress = fileProgress(flags.progress);
  let analysis;
  try {
    analysis = analyzeCaptureFile(file, { intervalSeconds: flags.interval, topN: flags.top, onProgress: progress.update });
  } finally {
    progress.stop();
  }
  const { report, summarizer } = analysis;
  for (const warning of report.capture.warnings) process.stderr.write(`wirewatch: warning: ${warning}\n`);

  if (flags.json === '-') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else if (flags.json) await writeFile(flags.json, JSON.stringify(report, null, 2) + '\n');
  if (flags.csv) {
    await mkdir(flags.csv, { recursive: true });
    await writeFlowsCsv(join(flags.csv, 'flows.csv'), summarizer.flows.flows());
    await writeFile(join(flags.csv, 'timeline.csv'), timelineCsv(report.timeline));
  }
  if (flags.html) await writeFile(flags.html, renderHtmlReport(report));
  if (!flags.json && !flags.csv && !flags.html) printSummary(report);
}
