import { InfluxDB, type Transport } from '@influxdata/influxdb-client';
import { detectInfluxApi, InfluxUnreachableError, type InfluxApi } from './detect-api.js';
import { backoffDelay, sleepUnlessAborted } from '@wirewatch/retry';
import { classifyFailure, InfluxWriteError, type AttemptFailure } from './write-errors.js';
import { linkedSignal } from './linked-signal.js';
import { writeEndpoint, type WriteEndpoint } from './write-endpoint.js';
import { resolveWriterOptions, type InfluxWriterOptions, type ResolvedWriterOptions } from './writer-options.js';

/** Counters for /metrics; every batch ends up written, rejected or aborted. */
export interface InfluxWriterStats {
  /** The API in use; undefined until 'auto' detection has answered. */
  api: InfluxApi | undefined;
  batchesWritten: number;
  pointsWritten: number;
  /** Batches given up for good (bad data, auth, not found, other 4xx), and their lines. */
  batchesRejected: number;
  pointsRejected: number;
  /** Batches abandoned because the writer closed or the caller aborted (not written; redeliver them). */
  batchesAborted: number;
  /** Every HTTP attempt (or API detection) that failed, retried or not. */
  failedAttempts: number;
  /** Attempts made after a failure. */
  retries: number;
  /** Duration of the last accepted write request. */
  lastLatencyMs: number | undefined;
  /** One line: the last failure. */
  lastError: string | undefined;
  /** When (epoch ms) the server last accepted a write. */
  lastSuccessAt: number | undefined;
  /** When (epoch ms) an attempt last failed (lines the server found malformed aside: the server works). */
  lastFailureAt: number | undefined;
  /** Attempts failed since the last accepted write, malformed lines aside: 0 while writes go through. */
  consecutiveFailures: number;
  /** write() calls not settled yet. */
  pendingBatches: number;
}

export interface WriteCallOptions {
  /** Abandons the write (rejects with kind 'aborted') if the server has not accepted it yet. */
  signal?: AbortSignal;
}

export interface InfluxWriter {
  /**
   * Sends line-protocol lines (millisecond timestamps) as one request. Resolves only once the server
   * accepted them; retries network errors, timeouts, 5xx and 429 (honouring Retry-After) with
   * backoff until then, or until close() or `signal`. Rejects at once with an InfluxWriteError on
   * 400 (naming the line), 401/403, 404 and other 4xx.
   */
  write(lines: readonly string[], options?: WriteCallOptions): Promise<void>;
  /** Abandons pending retries (their write() calls reject with kind 'aborted') and waits for them. */
  close(): Promise<void>;
  /** A snapshot of the counters. */
  readonly stats: InfluxWriterStats;
}

/**
 * Why the client's transport rather than its WriteApi: WriteApi batches on its own (it splits a call
 * above `batchSize` lines and swallows the errors of those parts), keeps a retry buffer, logs to the
 * console and takes no AbortSignal. One `transport.request` per write() call gives exactly "this
 * promise resolves when the server accepted these lines", the same code for /write and
 * /api/v2/write, cancellation through AbortSignal, and gzip; retries are ours.
 */
class HttpInfluxWriter implements InfluxWriter {
  private readonly options: ResolvedWriterOptions;
  private readonly transport: Transport;
  private readonly closing = new AbortController();
  private readonly pending = new Set<Promise<void>>();
  private endpoint: Promise<WriteEndpoint> | undefined;
  private readonly counters: InfluxWriterStats = {
    api: undefined,
    batchesWritten: 0,
    pointsWritten: 0,
    batchesRejected: 0,
    pointsRejected: 0,
    batchesAborted: 0,
    failedAttempts: 0,
    retries: 0,
    lastLatencyMs: undefined,
    lastError: undefined,
    pendingBatches: 0,
    lastSuccessAt: undefined,
    lastFailureAt: undefined,
    consecutiveFailures: 0,
  };

  constructor(options: InfluxWriterOptions) {
    this.options = resolveWriterOptions(options);
    this.transport = new InfluxDB({ url: this.options.url, timeout: this.options.timeoutMs }).transport;
    if (this.options.api !== 'auto') this.useApi(this.options.api);
  }

  get stats(): InfluxWriterStats {
    return { ...this.counters, pendingBatches: this.pending.size };
  }

  write(lines: readonly string[], { signal }: WriteCallOptions = {}): Promise<void> {
    const done = this.writeWithRetries(lines, signal);
    this.pending.add(done);
    const forget = () => this.pending.delete(done);
    done.then(forget, forget);
    return done;
  }

  async close(): Promise<void> {
    if (!this.closing.signal.aborted) {
      this.closing.abort(
        new InfluxWriteError('aborted', 'the InfluxDB writer was closed before the server accepted the write'),
      );
    }
    await Promise.allSettled([...this.pending]);
  }

  private useApi(api: InfluxApi): WriteEndpoint {
    const endpoint = writeEndpoint(api, this.options);
    this.counters.api = api;
    this.endpoint = Promise.resolve(endpoint);
    return endpoint;
  }

  /** The endpoint, asking /ping once (shared by concurrent writes; asked again after a failure). */
  private resolveEndpoint(): Promise<WriteEndpoint> {
    this.endpoint ??= detectInfluxApi(this.options.url, {
      token: this.options.token,
      timeoutMs: this.options.timeoutMs,
    }).then(
      (api) => this.useApi(api),
      (error: unknown) => {
        this.endpoint = undefined;
        throw error;
      },
    );
    return this.endpoint;
  }

  private async writeWithRetries(lines: readonly string[], signal: AbortSignal | undefined): Promise<void> {
    const stop = linkedSignal([this.closing.signal, signal]);
    try {
      return await this.writeUntilSettled(lines, stop.signal);
    } finally {
      stop.dispose();
    }
  }

  private async writeUntilSettled(lines: readonly string[], stop: AbortSignal): Promise<void> {
    const abandoned = () => {
      this.counters.batchesAborted++;
      return this.closing.signal.aborted
        ? (this.closing.signal.reason as InfluxWriteError)
        : new InfluxWriteError('aborted', 'the write was aborted before the server accepted it');
    };
    if (stop.aborted) throw abandoned();
    if (lines.length === 0) return;
    const body = lines.join('\n');

    for (let failedAttempts = 0; ;) {
      if (failedAttempts > 0) this.counters.retries++;
      const failure = await this.attempt(lines, body, stop);
      if (!failure) return;
      failedAttempts++;
      this.counters.failedAttempts++;
      if (stop.aborted) throw abandoned();
      if (failure.retry || failure.error.kind !== 'bad-data') {
        this.counters.consecutiveFailures++;
        this.counters.lastFailureAt = Date.now();
      }
      if (!failure.retry) {
        this.counters.lastError = failure.error.message;
        this.counters.batchesRejected++;
        this.counters.pointsRejected += lines.length;
        this.options.onRejected?.(failure.error, lines);
        throw failure.error;
      }
      this.counters.lastError = failure.reason;
      const delayMs =
        failure.retryAfterMs ??
        backoffDelay(failedAttempts, {
          minDelayMs: this.options.minRetryDelayMs,
          maxDelayMs: this.options.maxRetryDelayMs,
        });
      this.options.onRetry?.({ reason: failure.reason, failedAttempts, delayMs, lines: lines.length });
      try {
        await sleepUnlessAborted(delayMs, stop);
      } catch {
        throw abandoned();
      }
    }
  }

  /** One try: undefined when the server accepted the lines, else what went wrong. */
  private async attempt(
    lines: readonly string[],
    body: string,
    stop: AbortSignal,
  ): Promise<AttemptFailure | undefined> {
    const { timeoutMs, gzipThresholdBytes } = this.options;
    let endpoint: WriteEndpoint;
    try {
      endpoint = await this.resolveEndpoint();
    } catch (error) {
      if (error instanceof InfluxUnreachableError) return { retry: true, reason: error.message };
      return { retry: false, error: new InfluxWriteError('rejected', (error as Error).message) };
    }
    const deadline = linkedSignal([stop], timeoutMs);
    const started = performance.now();
    try {
      await this.transport.request(endpoint.path, body, {
        method: 'POST',
        headers: endpoint.headers,
        gzipThreshold: Number.isFinite(gzipThresholdBytes) ? gzipThresholdBytes : undefined,
        signal: deadline.signal,
      });
    } catch (error) {
      if (deadline.timedOut && !stop.aborted) {
        return { retry: true, reason: `no answer from InfluxDB at ${endpoint.target} within ${timeoutMs} ms` };
      }
      return classifyFailure(error, lines, { target: endpoint.target, api: endpoint.api, timeoutMs });
    } finally {
      deadline.dispose();
    }
    this.counters.lastLatencyMs = performance.now() - started;
    this.counters.lastSuccessAt = Date.now();
    this.counters.consecutiveFailures = 0;
    this.counters.batchesWritten++;
    this.counters.pointsWritten += lines.length;
    return undefined;
  }
}

/** A writer for InfluxDB 1.x (v1 /write), 1.8+/2.x/3.x/Cloud and VictoriaMetrics (/api/v2/write). */
export function createInfluxWriter(options: InfluxWriterOptions): InfluxWriter {
  return new HttpInfluxWriter(options);
}
