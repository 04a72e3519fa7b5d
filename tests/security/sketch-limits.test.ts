import { describe, expect, it } from 'vitest';
import { SKETCH_MAX_CAPACITY, SKETCH_MAX_PRECISION, SKETCH_MIN_PRECISION } from '@wirewatch/protocol';
import { sensorConfigSchema } from '@wirewatch/sensor';

/** The consumers' bounds on declared sketch sizes are the sensor configuration's: in step, or one side refuses the other. */
describe('sketch limits', () => {
  const sketch = (capacity: number, precision: number) =>
    sensorConfigSchema.safeParse({ sketch: { capacity, precision } });
  const issuesAt = (r: ReturnType<typeof sketch>) => (r.success ? [] : r.error.issues.map((i) => i.path.join('.')));

  it('the largest sketches a sensor can be configured with are the largest the consumers accept', () => {
    expect(issuesAt(sketch(SKETCH_MAX_CAPACITY, SKETCH_MAX_PRECISION))).not.toContain('sketch.capacity');
    expect(issuesAt(sketch(SKETCH_MAX_CAPACITY, SKETCH_MAX_PRECISION))).not.toContain('sketch.precision');
    expect(issuesAt(sketch(SKETCH_MAX_CAPACITY + 1, 12))).toContain('sketch.capacity');
    expect(issuesAt(sketch(512, SKETCH_MAX_PRECISION + 1))).toContain('sketch.precision');
    expect(issuesAt(sketch(512, SKETCH_MIN_PRECISION))).not.toContain('sketch.precision');
    expect(issuesAt(sketch(512, SKETCH_MIN_PRECISION - 1))).toContain('sketch.precision');
  });
});
