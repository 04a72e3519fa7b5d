import type { SpoolStats } from '@wirewatch/spool';

type Outcome = Pick<
  SpoolStats,
  'records' | 'droppedDiskFull' | 'droppedWriteErrors' | 'droppedOldest' | 'droppedOversize' | 'corruptSkipped'
>;

/**
 * The sensor's last line: how many summaries were published and, when not all were, how many are
 * left in the spool for the next start and how many were lost and why, e.g. "590 summaries
 * published, 10 dropped because the spool disk was full". It says "all" only when nothing was dropped or left.
 */
export function runOutcome(
  published: number,
  s: Outcome,
): { message: string; lost: number; counts: Record<string, number> } {
  const reasons: Array<[number, string]> = [
    [s.droppedDiskFull, 'dropped because the spool disk was full'],
    [s.droppedWriteErrors - s.droppedDiskFull, 'dropped because the spool could not be written'],
    [s.droppedOldest, 'dropped as the oldest beyond the spool bound'],
    [s.droppedOversize, 'dropped as larger than the whole spool'],
    [s.corruptSkipped, 'dropped as damaged in the spool'],
  ];
  const lost = reasons.reduce((sum, [n]) => sum + n, 0);
  const counts = {
    spooled: s.records,
    droppedDiskFull: s.droppedDiskFull,
    droppedWriteErrors: s.droppedWriteErrors,
    droppedOldest: s.droppedOldest,
    droppedOversize: s.droppedOversize,
    corruptSkipped: s.corruptSkipped,
  };
  if (lost === 0 && s.records === 0) return { message: 'all summaries published', lost, counts };
  const parts = [[s.records, 'left in the spool for the next start'] as [number, string], ...reasons]
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`);
  return { message: [`${published} summaries published`, ...parts].join(', '), lost, counts };
}
