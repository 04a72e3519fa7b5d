import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, RunCheckpointFile, restartGapOf, type RunCheckpoint } from './run-checkpoint.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wirewatch-checkpoint-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const killed: RunCheckpoint = {
  version: 1,
  sensor: 'edge-1',
  run: 'old',
  at: 1000,
  stopped: false,
  open: [
    { interface: 'eth0', start: 0, end: 10_000, packets: 42, bytes: 4200 },
    { interface: 'eth1', start: 0, end: 10_000, packets: 0, bytes: 0 },
  ],
};

describe('run checkpoint', () => {
  it('writes atomically and reads back; writes queued meanwhile collapse into the latest', async () => {
    const file = new RunCheckpointFile(tempDir());
    const writes = [1, 2, 3, 4].map((at) => file.write({ ...killed, at }));
    await Promise.all(writes);
    expect(await file.read()).toEqual({ ...killed, at: 4 });
    expect(file.writeErrors).toBe(0);
  });

  it('a failed write is counted and reported, and the next one that succeeds too', async () => {
    const dir = join(tempDir(), 'not-yet');
    const results: Array<string | null> = [];
    const file = new RunCheckpointFile(dir, (error) => results.push(error === null ? null : error.message));
    await file.write(killed);
    expect(file.writeErrors).toBe(1);
    expect(results).toEqual([expect.stringContaining('ENOENT')]);
    mkdirSync(dir);
    await file.write(killed);
    expect(file.writeErrors).toBe(1);
    expect(results.at(-1)).toBeNull();
    expect(await file.read()).toEqual(killed);
  });

  it('a missing, torn or foreign file reads as no previous run', async () => {
    const dir = tempDir();
    const file = new RunCheckpointFile(dir);
    expect(await file.read()).toBeUndefined();
    await file.write(killed);
    const whole = readFileSync(join(dir, CHECKPOINT_FILE), 'utf8');
    writeFileSync(join(dir, CHECKPOINT_FILE), whole.slice(0, whole.length >> 1));
    expect(await file.read()).toBeUndefined();
    writeFileSync(join(dir, CHECKPOINT_FILE), JSON.stringify({ version: 9 }));
    expect(await file.read()).toBeUndefined();
  });

  it('a killed run: the gap from its last checkpoint, its open intervals with packets as unpublished', () => {
    expect(restartGapOf(killed, 'edge-1', 'new', 5000)).toEqual({
      previousRun: 'old',
      clean: false,
      from: 1000,
      to: 5000,
      unpublished: [killed.open[0]],
    });
  });

  it('a clean stop: the gap only; none for the same run, another sensor id, or no previous run', () => {
    expect(restartGapOf({ ...killed, stopped: true, open: [] }, 'edge-1', 'new', 5000)).toEqual({
      previousRun: 'old',
      clean: true,
      from: 1000,
      to: 5000,
      unpublished: [],
    });
    expect(restartGapOf(killed, 'edge-1', 'old', 5000)).toBeUndefined();
    expect(restartGapOf(killed, 'edge-2', 'new', 5000)).toBeUndefined();
    expect(restartGapOf(undefined, 'edge-1', 'new', 5000)).toBeUndefined();
    // A clock stepped back since: never a negative gap.
    expect(restartGapOf(killed, 'edge-1', 'new', 500)).toMatchObject({ from: 1000, to: 1000 });
  });
});
