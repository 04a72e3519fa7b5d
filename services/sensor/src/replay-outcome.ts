import type { SpoolStats } from '@wirewatch/spool';

type Losses = Pick<SpoolStats, 'droppedDiskFull' | 'droppedWriteErrors' | 'droppedOldest' | 'droppedOversize' | 'corruptSkipped'>;

/**
 * The last line of a replay: how many summaries were published and, when some were lost, how many
 * and why, e.g. "590 summaries published, 10 dropped because the spool disk was full". It never
 * says "all" when one was dropped.
 */
export function replayOutcome(published: number, s: Losses): { message: string; lost: number; counts: Record<string, number> } {
  const reasons: Array<[number, string]> = [
    [s.droppedDiskFull, 'because the spool disk was full'],
    [s.droppedWriteErrors - s.droppedDiskFull, 'because the spool could not be written'],
    [s.droppedOldest, 'as the oldest beyond the spool bound'],
    [s.droppedOversize, 'as larger than the whole spool'],
    [s.corruptSkipped, 'as damaged in the spool'],
  ];
  const parts = reasons.filter(([n]) => n > 0).map(([n, why]) => `${n} dropped ${why}`);
  const lost = reasons.reduce((sum, [n]) => sum + n, 0);
  const counts = {
    droppedDiskFull: s.droppedDiskFull,
    droppedWriteErrors: s.droppedWriteErrors,
    droppedOldest: s.droppedOldest,
    droppedOversize: s.droppedOversize,
    corruptSkipped: s.corruptSkipped,
  };
  if (lost === 0) return { message: 'all summaries published', lost, counts };
  return { message: `${published} summaries published, ${parts.join(', ')}`, lost, counts };
}
