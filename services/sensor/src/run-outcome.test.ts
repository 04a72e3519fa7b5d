import { describe, expect, it } from 'vitest';
import { runOutcome } from './run-outcome.js';

const none = {
  records: 0,
  droppedDiskFull: 0,
  droppedWriteErrors: 0,
  droppedOldest: 0,
  droppedOversize: 0,
  corruptSkipped: 0,
};

describe('runOutcome', () => {
  it('says all were published only when nothing was dropped or left', () => {
    expect(runOutcome(600, none)).toMatchObject({ message: 'all summaries published', lost: 0 });
  });

  it('states how many were dropped and why, never "all"', () => {
    const outcome = runOutcome(65, { ...none, droppedDiskFull: 535, droppedWriteErrors: 536, corruptSkipped: 2 });
    expect(outcome.message).toBe(
      '65 summaries published, 535 dropped because the spool disk was full, 1 dropped because the spool could not be written, 2 dropped as damaged in the spool',
    );
    expect(outcome.lost).toBe(538);
  });

  it('states what waits in the spool for the next start', () => {
    expect(runOutcome(10, { ...none, records: 4 })).toMatchObject({
      message: '10 summaries published, 4 left in the spool for the next start',
      lost: 0,
    });
  });
});
