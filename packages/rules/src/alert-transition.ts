import type { Severity } from './rule-schema.js';

/** What the engine emits each time an alert changes state or is re-notified. */
export interface AlertTransition {
  rule: string;
  /** `rule{label="value",...}` over the rule's group labels: one alert per rule and group. */
  dedupKey: string;
  /** The group's labels (sensor, interface, source ...). */
  group: Record<string, string>;
  state: 'pending' | 'firing' | 'resolved';
  /** The judged value (null when there was no data, e.g. a group that went quiet). */
  value: number | null;
  /** The value compared with: `above` or `below` of the rule (for absence: `after` in seconds). */
  threshold: number | null;
  /** When the condition became true: the incident's start. */
  since: number;
  at: number;
  severity: Severity;
  /** The rule's labels merged with the group's. */
  labels: Record<string, string>;
  receivers: string[];
  /** A reminder of a still-firing alert, sent every `repeat_interval`. */
  repeat: boolean;
  /** Recorded but not to be notified: a silence matched (ids in `silencedBy`) or, for a resolved alert, its firing was never notified. */
  silenced: boolean;
  silencedBy: string[];
  description?: string;
}

/** An alert currently pending or firing. */
export interface ActiveAlert {
  rule: string;
  dedupKey: string;
  group: Record<string, string>;
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  since: number;
  value: number | null;
  threshold: number | null;
  severity: Severity;
  receivers: string[];
}
