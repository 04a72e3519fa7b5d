import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** The counters of an interval still open (not yet summarized) when a checkpoint was taken. */
export interface OpenIntervalCounts {
  interface: string;
  start: number;
  end: number;
  packets: number;
  bytes: number;
}

const checkpointSchema = z.object({
  version: z.literal(1),
  sensor: z.string(),
  run: z.string(),
  /** Wall-clock ms up to which the run's frames are accounted for (in `open` or in the spool): the next run's gap starts there. */
  at: z.number().int().nonnegative(),
  /** True once the capture ended cleanly and its partial intervals were handed to the spool. */
  stopped: z.boolean(),
  open: z.array(
    z.object({
      interface: z.string(),
      start: z.number(),
      end: z.number(),
      packets: z.number().nonnegative(),
      bytes: z.number().nonnegative(),
    }),
  ),
});

export type RunCheckpoint = z.infer<typeof checkpointSchema>;

/** What a live sensor found of its previous run on start: the span no run captured, and what the old run counted but never published. */
export interface RestartGap {
  previousRun: string;
  /** The previous run stopped cleanly (SIGTERM); false: it was killed or crashed. */
  clean: boolean;
  /** [from, to): from the previous run's capture end (clean) or last checkpoint (killed) to this run's capture start. */
  from: number;
  to: number;
  /** Packets the killed run had counted in intervals it never summarized, per interface (empty when clean). */
  unpublished: OpenIntervalCounts[];
}

export const CHECKPOINT_FILE = 'run-checkpoint.json';

/**
 * The live sensor's run checkpoint in its spool directory: which run captures, when it last wrote,
 * and what its open intervals hold. A restart reads it to count its capture gap instead of losing it silently.
 */
export class RunCheckpointFile {
  private writing: Promise<void> = Promise.resolve();
  private next: RunCheckpoint | undefined;
  writeErrors = 0;

  /** `onWritten`: called after each write with its error, or null (a failed write leaves the checkpoint older than it should be). */
  constructor(
    readonly dir: string,
    private readonly onWritten: (error: Error | null) => void = () => undefined,
  ) {}

  /** The checkpoint a previous run left; undefined when none or unreadable (a torn write: the restart is then not measured). */
  async read(): Promise<RunCheckpoint | undefined> {
    try {
      const parsed = checkpointSchema.safeParse(JSON.parse(await readFile(join(this.dir, CHECKPOINT_FILE), 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes `checkpoint` (atomically: a temp file renamed over the old one); writes queued meanwhile collapse into the latest. */
  write(checkpoint: RunCheckpoint): Promise<void> {
    const queued = this.next !== undefined;
    this.next = checkpoint;
    if (!queued) {
      this.writing = this.writing.then(async () => {
        const latest = this.next!;
        this.next = undefined;
        const path = join(this.dir, CHECKPOINT_FILE);
        try {
          await writeFile(`${path}.tmp`, JSON.stringify(latest));
          await rename(`${path}.tmp`, path);
          this.onWritten(null);
        } catch (error) {
          this.writeErrors++;
          this.onWritten(error as Error);
        }
      });
    }
    return this.writing;
  }
}

/** The gap between the previous run's checkpoint and this run's capture start at `now` (undefined: no previous run, or this very run). */
export function restartGapOf(
  previous: RunCheckpoint | undefined,
  sensor: string,
  run: string,
  now: number,
): RestartGap | undefined {
  if (previous === undefined || previous.run === run || previous.sensor !== sensor) return undefined;
  return {
    previousRun: previous.run,
    clean: previous.stopped,
    from: previous.at,
    to: Math.max(previous.at, now),
    unpublished: previous.stopped ? [] : previous.open.filter((o) => o.packets > 0),
  };
}
