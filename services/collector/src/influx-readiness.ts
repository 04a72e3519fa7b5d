import { detectInfluxApi, type InfluxWriterStats } from '@wirewatch/influx';

export interface InfluxReadinessOptions {
  url: string;
  token?: string;
  stats: () => InfluxWriterStats;
  /** Failed write attempts in a row (no success between) that make the collector unready. */
  failuresBeforeUnready?: number;
  /** How often InfluxDB's /ping is asked, so an unreachable server shows even without traffic. */
  probeIntervalMs?: number;
  timeoutMs?: number;
  /** Called when the reason changes (undefined: InfluxDB is fine again). */
  onChange?: (reason: string | undefined) => void;
}

/**
 * Whether InfluxDB takes the collector's writes, for /readyz: unready until /ping answered once,
 * while the last /ping failed, and while the last few write attempts all failed (a database that
 * refuses: 404, 401...); ready again after a ping and a write go through.
 */
export class InfluxReadiness {
  private probeError: string | undefined = 'waiting for InfluxDB to answer /ping';
  private probed = false;
  private timer: NodeJS.Timeout | undefined;
  private lastReason: string | undefined;

  constructor(private readonly options: InfluxReadinessOptions) {}

  /** Asks /ping now and then every `probeIntervalMs`. */
  async start(): Promise<void> {
    await this.probe();
    this.timer = setInterval(() => void this.probe(), this.options.probeIntervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Why the collector cannot write to InfluxDB right now; undefined while it can. */
  get reason(): string | undefined {
    const reason = this.current();
    if (this.probed && reason !== this.lastReason) {
      this.lastReason = reason;
      this.options.onChange?.(reason);
    }
    return reason;
  }

  private current(): string | undefined {
    if (this.probeError) return this.probeError;
    const stats = this.options.stats();
    const limit = this.options.failuresBeforeUnready ?? 3;
    if (stats.consecutiveFailures >= limit) {
      return `InfluxDB writes failing (the last ${limit} attempts or more): ${stats.lastError ?? 'unknown error'}`;
    }
    return undefined;
  }

  private async probe(): Promise<void> {
    try {
      await detectInfluxApi(this.options.url, { token: this.options.token, timeoutMs: this.options.timeoutMs ?? 5000 });
      this.probeError = undefined;
    } catch (error) {
      this.probeError = `InfluxDB does not answer /ping: ${(error as Error).message}`;
    }
    this.probed = true;
    void this.reason;
  }
}
