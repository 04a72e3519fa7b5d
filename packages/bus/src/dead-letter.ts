import { jetstream, type JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { HEADER_DEAD_LETTER_REASON, HEADER_ORIGINAL_SUBJECT, deadLetterSubject, type Rejection } from '@wirewatch/protocol';

/**
 * Copies a rejected message to `wirewatch.deadletter.<consumer>` (its own stream, kept a week) with
 * the reason in headers, so an operator can inspect what was refused; the caller then terminates it.
 */
export async function deadLetter(nc: NatsConnection, consumer: string, message: JsMsg, rejection: Rejection): Promise<void> {
  const h = headers();
  h.set(HEADER_ORIGINAL_SUBJECT, message.subject);
  h.set(HEADER_DEAD_LETTER_REASON, `${rejection.kind}: ${rejection.detail}`.slice(0, 1024));
  await jetstream(nc).publish(deadLetterSubject(consumer), message.data, { headers: h });
}
