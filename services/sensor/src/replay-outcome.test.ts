import { describe, expect, it } from 'vitest';
import { replayOutcome } from './replay-outcome.js';

const none = { droppedDiskFull: 0, droppedWriteErrors: 0, droppedOldest: 0, droppedOversize: 0, corruptSkipped: 0 };

describe('replayOutcome', () => {
  it('says all were published only when nothing was dropped', () => {
    expect(replayOutcome(600, none)).toMatchObject({ message: 'all summaries published', lost: 0 });
  });

  it('states how many were dropped and why, never "all"', () => {
    const outcome = replayOutcome(65, { ...none, droppedDiskFull: 535, droppedWriteErrors: 536, corruptSkipped: 2 });
    expect(outcome.message).toBe('65 summaries published, 535 dropped because the spool disk was full, 1 dropped because the spool could not be written, 2 dropped as damaged in the spool');
    expect(outcome.lost).toBe(538);
  });
});
