import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzeCaptureFile, renderHtmlReport, timelineCsv, writeFlowsCsv } from '@wirewatch/report';
import { makeDirectory, output } from '../output.js';
import { fileProgress } from '../progress.js';
import { printSummary } from './print-summary.js';

interface AnalyzeFlags {
  json?: string;
  csv?: string;
  html?: string;
  interval: number;
  top: number;
  progress: boolean;
  rules?: string;
}

export async function runAnalyze(file: string, flags: AnalyzeFlags): Promise<void> {
  const progress = fileProgress(flags.progress);
  let analysis;
  try {
    analysis = analyzeCaptureFile(file, {
      intervalSeconds: flags.interval,
      topN: flags.top,
      onProgress: progress.update,
    });
  } finally {
    progress.stop();
  }
  const { report, summarizer } = analysis;
  for (const warning of report.capture.warnings) process.stderr.write(`wirewatch: warning: ${warning}\n`);
  if (flags.rules !== undefined) {
    // The rule engine (and its schema library) loads only for --rules: analyze starts once per file in scripts.
    const [{ loadRuleFile }, { evaluateRulesOnCapture }, { ConfigError }] = await Promise.all([
      import('@wirewatch/rules'),
      import('@wirewatch/report'),
      import('@wirewatch/service'),
    ]);
    const loaded = loadRuleFile(flags.rules);
    if (!loaded.ok) throw new ConfigError(loaded.errors);
    report.alerts = evaluateRulesOnCapture(file, loaded.ruleSet, { intervalSeconds: flags.interval });
  }

  if (flags.json === '-') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else if (flags.json) await output(flags.json, () => writeFile(flags.json!, JSON.stringify(report, null, 2) + '\n'));
  if (flags.csv) {
    const dir = flags.csv;
    await output(dir, async () => {
      await makeDirectory(dir);
      await writeFlowsCsv(join(dir, 'flows.csv'), summarizer.flows.ranked());
      await writeFile(join(dir, 'timeline.csv'), timelineCsv(report.timeline));
    });
  }
  if (flags.html) await output(flags.html, () => writeFile(flags.html!, renderHtmlReport(report)));
  if (!flags.json && !flags.csv && !flags.html) printSummary(report);
}
