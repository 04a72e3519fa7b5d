import { loadConfig } from '@wirewatch/service';
import type { z } from 'zod';
import type { FlagPath } from './service-flags.js';

/** Config for a service command: schema defaults < YAML file < WIREWATCH_* environment < flags. */
export function loadServiceConfig<S extends z.ZodType>(
  schema: S,
  file: string | undefined,
  flags: Record<string, unknown>,
  known: FlagPath[],
): z.output<S> {
  const labels = new Map(known.map((f) => [f.path, f.flag.split(/[ ,]+/).find((p) => p.startsWith('--'))!]));
  return loadConfig(schema, { file, flags, flagLabel: (path) => labels.get(path) ?? `--${path}` });
}
