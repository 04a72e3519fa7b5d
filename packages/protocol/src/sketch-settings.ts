import { z } from 'zod';
import { DEFAULT_SKETCH_SHAPE, SKETCH_MAX_CAPACITY, SKETCH_MAX_PRECISION, SKETCH_MIN_PRECISION } from './limits.js';

/** Fewer entries than this make top lists useless; a policy of the settings, not a limit of the format. */
const SKETCH_MIN_CAPACITY = 16;

/**
 * The sketch sizes as a service configures them: a sensor's `sketch`, the collector's `fleet.sketch`
 * (the shape it expects of the sensors). One range for both, the consumers' limits (limits.ts), so a
 * collector can be told any shape a sensor can be configured with; defaults DEFAULT_SKETCH_SHAPE.
 */
export function sketchShapeSchema(describe: { capacity: string; precision: string }) {
  return z
    .object({
      capacity: z
        .number()
        .int()
        .min(SKETCH_MIN_CAPACITY)
        .max(SKETCH_MAX_CAPACITY)
        .default(DEFAULT_SKETCH_SHAPE.capacity)
        .describe(describe.capacity),
      precision: z
        .number()
        .int()
        .min(SKETCH_MIN_PRECISION)
        .max(SKETCH_MAX_PRECISION)
        .default(DEFAULT_SKETCH_SHAPE.precision)
        .describe(describe.precision),
    })
    .prefault({});
}
