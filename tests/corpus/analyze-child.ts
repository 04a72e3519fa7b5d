/**
 * Child process of analyze-all.ts: runs analyze's library call over a list of captures, one after
 * the other, as `wirewatch analyze FILE --json OUT` does (same options, same error classes), and says
 * on stdout "S <index>" before each file and "R <outcome JSON>" after it, so that the parent knows
 * which file a hang or a crash belongs to. Usage: node --import tsx analyze-child.ts LIST.json FIRST
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CaptureError } from '@wirewatch/capture';
import { UsageError } from '@wirewatch/cli';
import { analyzeCaptureFile, CaptureFormatError } from '@wirewatch/report';
import type { Outcome } from './analyze-all.js';

const files = JSON.parse(readFileSync(process.argv[2], 'utf8')) as string[];
const first = Number(process.argv[3]);

/** The CLI's defaults (packages/cli/src/program.ts): timeline of 1 s, top lists of 10. */
const CLI_DEFAULTS = { intervalSeconds: 1, topN: 10 };

function analyze(file: string): Omit<Outcome, 'ms' | 'stderr'> {
  const base = { file: basename(file), message: '', warnings: [], report: null };
  try {
    const { report } = analyzeCaptureFile(file, CLI_DEFAULTS);
    JSON.stringify(report); // what --json writes
    const { packets, bytes, protocols, capture } = report;
    const { format, link_types, truncated } = capture;
    return {
      ...base,
      result: 'report',
      warnings: capture.warnings,
      report: { packets, bytes, protocols, format, link_types, truncated },
    };
  } catch (error) {
    // The CLI's reportFatal: these exit 2 with their message's first line, anything else exits 1.
    const bad = error instanceof CaptureFormatError || error instanceof CaptureError || error instanceof UsageError;
    const message = error instanceof Error ? `${bad ? '' : `${error.name}: `}${error.message}` : String(error);
    return { ...base, result: bad ? 'rejected' : 'threw', message };
  }
}

const writeStderr = process.stderr.write.bind(process.stderr);
for (let i = first; i < files.length; i++) {
  process.stdout.write(`S ${i}\n`);
  let stderr = '';
  process.stderr.write = (chunk: string | Uint8Array) => ((stderr += String(chunk)), true);
  const started = performance.now();
  const outcome = analyze(files[i]);
  const ms = performance.now() - started;
  process.stderr.write = writeStderr;
  process.stdout.write(`R ${JSON.stringify({ ...outcome, ms, stderr } satisfies Outcome)}\n`);
}
