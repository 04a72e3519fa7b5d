import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { DEAD_LETTER_STREAM_NAME, DEAD_LETTER_SUBJECTS, STREAM_NAME, SUBJECT_ROOT } from '@wirewatch/protocol';

export interface StreamOptions {
  stream?: string;
  /** Copies of each message across a NATS cluster (1 on a single server, 3 on the cluster overlay). */
  replicas?: number;
  maxAgeSeconds?: number;
  maxBytes?: number;
  /** Window within which a resend with the same Nats-Msg-Id is dropped by the server. */
  duplicateWindowSeconds?: number;
}

export type StreamSettings = Partial<StreamConfig> & { name: string };

/** The WIREWATCH stream (`wirewatch.v1.>`) and the dead-letter stream, as these options want them. */
export function streamSettings(options: StreamOptions = {}): StreamSettings[] {
  const replicas = options.replicas ?? 1;
  return [
    {
      name: options.stream ?? STREAM_NAME,
      subjects: [`${SUBJECT_ROOT}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      num_replicas: replicas,
      max_age: nanos((options.maxAgeSeconds ?? 24 * 3600) * 1000),
      max_bytes: options.maxBytes ?? 4 * 1024 ** 3,
      duplicate_window: nanos((options.duplicateWindowSeconds ?? 5 * 60) * 1000),
    },
    {
      name: DEAD_LETTER_STREAM_NAME,
      subjects: [DEAD_LETTER_SUBJECTS],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      num_replicas: replicas,
      max_age: nanos(7 * 24 * 3600 * 1000),
      max_bytes: 256 * 1024 ** 2,
    },
  ];
}

/** The settings whose difference changes what the pipeline keeps or where; each is compared when the settings name it. */
const COMPARED = ['subjects', 'retention', 'num_replicas', 'max_age', 'max_bytes', 'duplicate_window'] as const;
type Compared = (typeof COMPARED)[number];

/** What the settings never give a stream: it would copy other streams' messages in, or out elsewhere, or freeze it. */
const NEVER = ['sources', 'mirror', 'republish', 'sealed'] as const;

/**
 * How a stream on NATS differs from the settings, one phrase per field that matters, e.g.
 * `WIREWATCH num_replicas: 1 on NATS, 3 in the settings`; empty when it does not.
 */
export function streamDifferences(existing: Partial<StreamConfig>, wanted: StreamSettings): string[] {
  const differences: string[] = [];
  for (const field of COMPARED) {
    if (wanted[field] === undefined) continue;
    const have = shown(field, existing[field]);
    const want = shown(field, wanted[field]);
    if (have !== want) differences.push(`${wanted.name} ${field}: ${have} on NATS, ${want} in the settings`);
  }
  for (const field of NEVER) {
    const value = existing[field];
    if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) continue;
    differences.push(`${wanted.name} ${field}: ${JSON.stringify(value)} on NATS, none in the settings`);
  }
  return differences;
}

function shown(field: Compared, value: Partial<StreamConfig>[Compared]): string {
  if (value === undefined) return 'unset';
  if (Array.isArray(value)) return [...value].sort().join(',');
  if (field === 'max_age' || field === 'duplicate_window') return `${Number(value) / 1e9} s`;
  if (field === 'max_bytes') return `${value} bytes`;
  return String(value);
}
