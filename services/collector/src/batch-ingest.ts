import type { JsMsg } from '@nats-io/jetstream';
import { RejectionLog, type Rejection } from '@wirewatch/protocol';

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
}

/**
 * One consumer batch: convert every message, write all lines in one InfluxDB request, and only then
 * acknowledge. A message that fails validation is dead-lettered and terminated, never retried, never
 * blocking the others (terminated without a reason: nats-server 2.9 ignores `+TERM <reason>` and
 * would redeliver the message forever; the reason travels in the dead-letter copy's header). If the write fails the batch is left unacknowledged (redelivered later); the
 * same points written twice overwrite each other, so redelivery never double-counts.
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
    const lines: string[] = [];
    const good: JsMsg[] = [];
    let oldestEmitted = Infinity;
    for (const m of batch) {
      if (m.redelivered) this.redelivered++;
      const converted = this.options.convert(m.data, m.subject);
      if (converted.ok) {
        for (const l of converted.lines) lines.push(l);
        good.push(m);
        if (converted.emitted !== undefined && converted.emitted < oldestEmitted) oldestEmitted = converted.emitted;
        continue;
      }
      await this.reject(m, converted.rejection);
    }
    if (lines.length > 0) await this.options.write(lines);
    for (const m of good) m.ack();
    this.accepted += good.length;
    if (oldestEmitted !== Infinity) this.lastEndToEndLagMs = Math.max(0, Date.now() - oldestEmitted);
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
