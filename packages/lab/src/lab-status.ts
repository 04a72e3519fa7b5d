import { influxRows, runInfluxQL } from './influxql.js';

const FIRST_POINT_POLL_MS = 500;
const TOTALS_EVERY_MS = 30_000;

/** Polls InfluxDB: says when the first point with traffic in it is stored, then totals every 30 s. */
export class LabStatus {
  private timer: NodeJS.Timeout | undefined;
  private seenFirst = false;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly influxUrl: string,
    private readonly database: string,
    private readonly sensor: string,
    private readonly say: (line: string) => void,
    private readonly alerts: () => string,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), FIRST_POINT_POLL_MS);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async totals(): Promise<{ points: number; packets: number; bytes: number }> {
    const where = `"sensor" = '${this.sensor}'`;
    const [row] = influxRows(
      await runInfluxQL(
        this.influxUrl,
        `SELECT count("packets") AS points, sum("packets") AS packets, sum("bytes") AS bytes FROM "traffic" WHERE ${where}`,
        { db: this.database },
      ),
    );
    return { points: Number(row?.points ?? 0), packets: Number(row?.packets ?? 0), bytes: Number(row?.bytes ?? 0) };
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const t = await this.totals();
      if (this.stopped) return; // a poll in flight when stop() came must not re-arm the timer
      if (!this.seenFirst && t.packets > 0) {
        this.seenFirst = true;
        this.say(
          `InfluxDB: first traffic stored (${t.packets.toLocaleString('en')} packets in ${t.points} interval${t.points === 1 ? '' : 's'} so far)`,
        );
        clearInterval(this.timer);
        this.timer = setInterval(() => void this.poll(), TOTALS_EVERY_MS);
      } else if (this.seenFirst) {
        this.say(
          `InfluxDB: ${t.points.toLocaleString('en')} intervals stored, ${t.packets.toLocaleString('en')} packets, ${(t.bytes / 1e6).toFixed(1)} MB; ${this.alerts()}`,
        );
      }
    } catch {
      // InfluxDB busy or stopping: the next poll says more
    } finally {
      this.busy = false;
    }
  }
}
