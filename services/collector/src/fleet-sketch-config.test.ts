import { DEFAULT_SKETCH_SHAPE, SummarySketches, sketchShape } from '@wirewatch/protocol';
import { SketchSummarizer } from '@wirewatch/traffic';
import { describe, expect, it } from 'vitest';
import { sensorConfigSchema } from '@wirewatch/sensor';
import { collectorConfigSchema } from './config.js';

/** The shape the fleet merge expects is the sensors' own setting: same default, same range. */
describe('collector fleet.sketch', () => {
  const sensorConfig = (more: object = {}) =>
    sensorConfigSchema.safeParse({ capture: { pcap: 'replay.pcap' }, ...more });

  it("defaults to the sensor's default sketch sizes", () => {
    expect(collectorConfigSchema.parse({}).fleet.sketch).toEqual(sensorConfig().data!.sketch);
    expect(collectorConfigSchema.parse({ fleet: { graceSeconds: 5 } }).fleet.sketch).toEqual(
      sensorConfig().data!.sketch,
    );
  });

  it('is the shape of a summarizer built without options (packages/traffic keeps its own fallback)', () => {
    expect(sketchShape(SummarySketches.fromSummarizer(new SketchSummarizer()))).toEqual(DEFAULT_SKETCH_SHAPE);
  });

  it('accepts exactly the sizes a sensor can be configured with', () => {
    const sensor = (sketch: { capacity: number; precision: number }) => sensorConfig({ sketch }).success;
    const collector = (sketch: { capacity: number; precision: number }) =>
      collectorConfigSchema.safeParse({ fleet: { sketch } }).success;
    for (const capacity of [15, 16, 512, 65536, 65537]) {
      for (const precision of [3, 4, 12, 16, 17])
        expect(collector({ capacity, precision }), `${capacity}/${precision}`).toBe(sensor({ capacity, precision }));
    }
    expect(collector({ capacity: 16, precision: 4 })).toBe(true);
    expect(collector({ capacity: 15, precision: 12 })).toBe(false);
  });
});
