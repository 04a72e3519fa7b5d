import { z } from 'zod';
import { subjectToken } from './subjects.js';
import { PROTOCOL_VERSION } from './summary-message.js';

/** One alert transition, as the alerter publishes it on `wirewatch.v1.alert.<rule>`. */
export const alertMessageSchema = z.object({
  type: z.literal('alert'),
  version: z.literal(PROTOCOL_VERSION),
  rule: subjectToken,
  state: z.enum(['pending', 'firing', 'resolved']),
  /** A reminder of an incident still firing (repeat interval), not a new one. */
  repeat: z.boolean(),
  /** Matched a silence: recorded and published, not notified. */
  silenced: z.boolean(),
  severity: z.enum(['info', 'warning', 'critical']),
  dedup_key: z.string().max(512),
  labels: z
    .record(z.string().max(128), z.string().max(1024))
    .refine((labels) => Object.keys(labels).length <= 64, { message: 'more than 64 labels' }),
  summary: z.string().max(1024),
  value: z.number(),
  threshold: z.number(),
  /** ISO times: when the incident started (pending or firing), and of this transition. */
  since: z.string().max(64),
  at: z.string().max(64),
});

export type AlertMessage = z.infer<typeof alertMessageSchema>;
