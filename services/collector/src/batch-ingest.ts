import type { JsMsg } from '@nats-io/jetstream';
import { InfluxWriteError, dataRefusalKind, isDataRefusal } from '@wirewatch/influx';
import { RejectionLog, type Rejection } from '@wirewatch/protocol';
import { backoffDelay, pauseUnlessAborted } from '@wirewatch/retry';

/** What one message turns into: lines for InfluxDB, or a rejection. */
export type Converted = { ok: true; lines: string[]; emitted?: number } | { ok: false; rejection: Rejection };

export interface BatchIngestOptions {
  /** `subject` is the one the message arrived on: decoders check the body's sensor against it. */
  convert: (data: Uint8Array, subject: string) => Converted;
  write: (lines: string[]) => Promise<void>;
  /** Copies a rejected message to the dead-letter subject. */
  deadLetter: (message: JsMsg, rejection: Rejection) => Promise<void>;
  /** Logged once per rejection kind (every rejection is counted). */
  onFirstRejection: (rejection: Rejection, subject: string) => void;
  /** Ends the wait between writes the database refuses as a whole (auth, no such database). */
  signal?: AbortSignal;
}

/** A converted message and its lines. */
interface Entry {
  message: JsMsg;
  lines: string[];
}

/** Kinds of InfluxWriteError that say the database cannot be written at all, whatever the lines. */
const DATABASE_WIDE = new Set(['auth', 'not-found']);

/** Between writes the database refuses as a whole: from 1 s, doubling, up to 10 s. */
const HELD_BACKOFF = { minDelayMs: 1000, maxDelayMs: 10_000 };

/**
 * One consumer batch: convert every message, write all lines in one InfluxDB request, and only then
 * acknowledge. A message that fails validation is dead-lettered and terminated, never retried, never
 * blocking the others (terminated without a reason: nats-server 2.9 ignores `+TERM <reason>` and
 * would redeliver the message forever; the reason travels in the dead-letter copy's header).
 *
 * A write the database refuses for the lines themselves (a 400: field type conflict, beyond the
 * retention policy, a timestamp it cannot store...) is split by message and the halves written again,
 * down to the single messages it refuses alone: those are dead-lettered with the database's words
 * (reason `influx_<kind>`), the rest written and acknowledged, whether the database keeps the good
 * lines of a refused request (influxd's partial writes) or not. A database that refuses every write
 * (401/403, no such database) holds the batch and tries again, as the writer does for 5xx and network
 * errors (no delivery of JetStream's max_deliver spent on a database-wide fault). Any other failure
 * leaves the batch unacknowledged (redelivered later, up to the consumer's max_deliver); the same
 * points written twice overwrite each other, so redelivery never double-counts.
 */
export class BatchIngest {
  accepted = 0;
  readonly rejections = new RejectionLog();
  deadLetterFailures = 0;
  redelivered = 0;
  /** Wall-clock ms from the sensor closing an interval to its points being accepted, last batch's max. */
  lastEndToEndLagMs = 0;

  constructor(private readonly options: BatchIngestOptions) {}

  async handle(batch: JsMsg[]): Promise<void> {
    const entries: Entry[] = [];
    let oldestEmitted = Infinity;
    for (const m of batch) {
      if (m.redelivered) this.redelivered++;
      const converted = this.options.convert(m.data, m.subject);
      if (converted.ok) {
        entries.push({ message: m, lines: converted.lines });
        if (converted.emitted !== undefined && converted.emitted < oldestEmitted) oldestEmitted = converted.emitted;
        continue;
      }
      await this.reject(m, converted.rejection);
    }
    await this.writeIsolatingRefused(entries);
    if (oldestEmitted !== Infinity) this.lastEndToEndLagMs = Math.max(0, Date.now() - oldestEmitted);
  }

  /** Writes and acknowledges `entries`; what the database refuses as data is narrowed down to single messages and dead-lettered. */
  private async writeIsolatingRefused(entries: Entry[]): Promise<void> {
    if (entries.length === 0) return;
    const lines = entries.length === 1 ? entries[0].lines : entries.flatMap((e) => e.lines);
    try {
      if (lines.length > 0) await this.writeHeld(lines);
    } catch (error) {
      if (!isDataRefusal(error)) throw error;
      if (entries.length === 1) return this.refused(entries[0].message, error);
      const half = Math.ceil(entries.length / 2);
      await this.writeIsolatingRefused(entries.slice(0, half));
      await this.writeIsolatingRefused(entries.slice(half));
      return;
    }
    for (const e of entries) e.message.ack();
    this.accepted += entries.length;
  }

  /** One write; while the database refuses every write (auth, no such database), waits and tries again. */
  private async writeHeld(lines: string[]): Promise<void> {
    for (let failures = 1; ; failures++) {
      try {
        return await this.options.write(lines);
      } catch (error) {
        if (!(error instanceof InfluxWriteError) || !DATABASE_WIDE.has(error.kind) || this.options.signal?.aborted)
          throw error;
        await pauseUnlessAborted(backoffDelay(failures, HELD_BACKOFF), this.options.signal);
      }
    }
  }

  /** A message whose lines the database refuses on their own: dead-lettered with the database's words. */
  private refused(m: JsMsg, error: InfluxWriteError): Promise<void> {
    return this.reject(m, {
      kind: `influx_${dataRefusalKind(error.serverSaid ?? error.message)}`,
      detail: error.message,
    });
  }

  private async reject(m: JsMsg, rejection: Rejection): Promise<void> {
    if (this.rejections.record(rejection)) this.options.onFirstRejection(rejection, m.subject);
    try {
      await this.options.deadLetter(m, rejection);
      m.term();
    } catch {
      // Not copied: leave it unacknowledged so it comes back rather than vanishing uncopied.
      this.deadLetterFailures++;
      m.nak(5000);
    }
  }
}
