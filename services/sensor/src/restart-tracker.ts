import type { SummaryMessage } from '@wirewatch/protocol';
import type { Logger } from '@wirewatch/service';
import { RunCheckpointFile, restartGapOf, type OpenIntervalCounts, type RestartGap } from './run-checkpoint.js';

/** How often a live sensor records its open intervals' counters (what a SIGKILL would lose uncounted). */
export const CHECKPOINT_MS = 1000;
/**
 * A live capture hands frames over in batches at least this often (LiveCapture's default `maxDelayMs`);
 * closing it drops the batch still filling, so a clean stop's gap starts this long before the close.
 */
export const CAPTURE_BATCH_DELAY_MS = 100;

/**
 * A live sensor's restart accounting: it checkpoints the run (every second, after each closed
 * interval, and at a clean stop) into the spool directory; on start it measures the gap since the
 * previous run's checkpoint, logs it, and puts it on the first summary of each interface.
 */
export class RestartTracker {
  /** The gap found at start, if this run follows another one. */
  gap: RestartGap | undefined;
  /** Interfaces whose first summary has not carried the gap yet. */
  private readonly untold = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private openCounts: () => OpenIntervalCounts[] = () => [];
  private run = '';
  private stopped = false;
  private log: Logger | undefined;
  /** True while checkpoint writes fail. */
  private failing = false;
  private readonly file: RunCheckpointFile;

  private constructor(
    spoolDir: string,
    private readonly sensor: string,
    private previous: Awaited<ReturnType<RunCheckpointFile['read']>>,
  ) {
    // Logged once per streak of failures: a restart meanwhile measures its gap from the last checkpoint written.
    this.file = new RunCheckpointFile(spoolDir, (error) => {
      if (error !== null && !this.failing) {
        this.failing = true;
        this.log?.warn(
          { err: error.message, dir: spoolDir },
          "cannot write the run checkpoint: a restart now would count a longer gap than it had, and a killed run's open intervals as of the last checkpoint written",
        );
      } else if (error === null && this.failing) {
        this.failing = false;
        this.log?.info({ dir: spoolDir }, 'run checkpoint written again');
      }
    });
  }

  static async open(spoolDir: string, sensor: string): Promise<RestartTracker> {
    const tracker = new RestartTracker(spoolDir, sensor, undefined);
    tracker.previous = await tracker.file.read();
    return tracker;
  }

  get checkpointWriteErrors(): number {
    return this.file.writeErrors;
  }

  /** The capture starts now: measures and logs the gap, writes the first checkpoint, and keeps checkpointing. */
  begin(
    run: string,
    interfaces: string[],
    openCounts: () => OpenIntervalCounts[],
    log: Logger,
    now = Date.now(),
  ): void {
    this.run = run;
    this.log = log;
    this.openCounts = openCounts;
    this.gap = restartGapOf(this.previous, this.sensor, run, now);
    if (this.gap !== undefined) {
      for (const i of interfaces) this.untold.add(i);
      const g = this.gap;
      const unpublishedPackets = g.unpublished.reduce((n, o) => n + o.packets, 0);
      log.warn(
        {
          previousRun: g.previousRun,
          clean: g.clean,
          gapSeconds: (g.to - g.from) / 1000,
          from: new Date(g.from).toISOString(),
          to: new Date(g.to).toISOString(),
          unpublishedPackets,
          unpublished: g.unpublished,
        },
        g.clean
          ? 'restarted: frames in the gap since the previous run stopped were not captured (gap on the first summaries)'
          : 'restarted after the previous run was killed: its open intervals were never published (their packets counted as unpublished) and frames in the gap since its last checkpoint were not captured',
      );
    }
    // A checkpoint write never rejects: its failures are counted and logged by `this.file`.
    void this.checkpoint(now);
    this.timer = setInterval(() => void this.checkpoint(), CHECKPOINT_MS);
  }

  /** Adds the gap to the first summary of its interface after the restart. */
  annotate(message: SummaryMessage): void {
    const g = this.gap;
    if (g === undefined || !this.untold.delete(message.interface)) return;
    const unpublished = g.unpublished
      .filter((o) => o.interface === message.interface)
      .reduce((n, o) => n + o.packets, 0);
    message.restart = { previous_run: g.previousRun, gap_ms: g.to - g.from, unpublished_packets: unpublished };
  }

  /** Records the open intervals now (after an interval closed, or on the timer). */
  checkpoint(now = Date.now()): Promise<void> {
    if (this.stopped || this.run === '') return Promise.resolve();
    // Frames of the batch the capture is still filling are in neither `open` nor the spool yet.
    return this.file.write({
      version: 1,
      sensor: this.sensor,
      run: this.run,
      at: now - CAPTURE_BATCH_DELAY_MS,
      stopped: false,
      open: this.openCounts(),
    });
  }

  /**
   * The capture, closed at `closedAt`, ended and every partial interval went to the spool: the next
   * run's gap starts at the close less the batch the close dropped.
   */
  async stop(closedAt = Date.now()): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.run === '' || this.stopped) return;
    this.stopped = true;
    await this.file.write({
      version: 1,
      sensor: this.sensor,
      run: this.run,
      at: closedAt - CAPTURE_BATCH_DELAY_MS,
      stopped: true,
      open: [],
    });
  }
}
