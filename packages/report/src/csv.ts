import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { PROTOCOL_CLASSES } from '@wirewatch/traffic';
import type { Flow } from '@wirewatch/traffic';
import type { TimelineRow } from './schema.js';

export const FLOWS_HEADER = 'src,dst,sport,dport,proto,packets,bytes,first_seen,last_seen';

export function flowCsvLine(f: Flow): string {
  return `${f.src},${f.dst},${f.sport},${f.dport},${f.proto ?? ''},${f.packets},${f.bytes},${f.first_seen.toFixed(6)},${f.last_seen.toFixed(6)}`;
}

export function timelineCsv(rows: TimelineRow[]): string {
  const classColumns = PROTOCOL_CLASSES.flatMap((c) => [`${c}_packets`, `${c}_bytes`]);
  const lines = [['start', 'packets', 'bytes', ...classColumns].join(',')];
  for (const row of rows) {
    const perClass = PROTOCOL_CLASSES.flatMap((c) => [row.protocols[c].packets, row.protocols[c].bytes]);
    lines.push([row.start, row.packets, row.bytes, ...perClass].join(','));
  }
  return lines.join('\n') + '\n';
}

/** Lines are written in batches of about this many characters: one stream write per line costs more than formatting it. */
const BATCH_CHARS = 64 * 1024;

/**
 * Streams every flow to `path` as it is produced, respecting back-pressure, so memory stays flat for
 * large tables: pass a lazy iterable (FlowTable.ranked()), and no flow outlives its line.
 */
export async function writeFlowsCsv(path: string, flows: Iterable<Flow>): Promise<void> {
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  failed.catch(() => {});
  const write = async (text: string) => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  let batch = FLOWS_HEADER + '\n';
  for (const flow of flows) {
    batch += flowCsvLine(flow) + '\n';
    if (batch.length >= BATCH_CHARS) {
      await write(batch);
      batch = '';
    }
  }
  out.end(batch);
  await Promise.race([once(out, 'finish'), failed]);
}
