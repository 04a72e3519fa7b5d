import { z } from 'zod';

/**
 * Subject names of the NATS contract. Version 1 lives under `wirewatch.v1.`; a breaking change gets a
 * new prefix so old and new sensors can share a broker during an upgrade.
 */
export const SUBJECT_ROOT = 'wirewatch.v1';
export const SUMMARY_SUBJECTS = `${SUBJECT_ROOT}.summary.>`;
export const HEARTBEAT_SUBJECTS = `${SUBJECT_ROOT}.heartbeat.>`;
export const ALERT_SUBJECTS = `${SUBJECT_ROOT}.alert.>`;
/** Messages a consumer could not trust, copied with the reason in headers; outside `wirewatch.v1.>` on purpose. */
export const DEAD_LETTER_ROOT = 'wirewatch.deadletter';
export const DEAD_LETTER_SUBJECTS = `${DEAD_LETTER_ROOT}.>`;

/**
 * Sensor ids, rule names and consumer names become one subject token: letters, digits, `_` and `-`,
 * at most 64. The one definition of the rule: messages, rule files and every service's settings use
 * `subjectToken` below.
 */
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN_MAX_LENGTH = 64;
const NOT_TOKEN_CHARACTER = /[^A-Za-z0-9_-]/g;

/** A setting or message field that becomes a subject token. */
export const subjectToken = z.string().regex(TOKEN, 'expected 1-64 letters, digits, "_" or "-"');

export function isSubjectToken(value: string): boolean {
  return TOKEN.test(value);
}

/** `text` made a subject token: other characters become `-`, cut to 64; '' stays '' (not a token). */
export function toSubjectToken(text: string): string {
  return text.replace(NOT_TOKEN_CHARACTER, '-').slice(0, TOKEN_MAX_LENGTH);
}

export function assertSubjectToken(what: string, value: string): void {
  if (!isSubjectToken(value)) {
    throw new Error(`${what} "${value}" must be 1-64 letters, digits, "_" or "-" (it becomes a NATS subject token)`);
  }
}

export function summarySubject(sensor: string): string {
  assertSubjectToken('sensor id', sensor);
  return `${SUBJECT_ROOT}.summary.${sensor}`;
}

export function heartbeatSubject(sensor: string): string {
  assertSubjectToken('sensor id', sensor);
  return `${SUBJECT_ROOT}.heartbeat.${sensor}`;
}

export function alertSubject(rule: string): string {
  assertSubjectToken('rule name', rule);
  return `${SUBJECT_ROOT}.alert.${rule}`;
}

/** Where a consumer copies a message it rejected: `wirewatch.deadletter.<consumer>`. */
export function deadLetterSubject(consumer: string): string {
  assertSubjectToken('consumer name', consumer);
  return `${DEAD_LETTER_ROOT}.${consumer}`;
}
