/**
 * "Flows" means one thing in `analyze` (exact flow table) and on a sensor (HyperLogLog of flow keys):
 * on every capture of tcpdump's corpus, the distinct keys the sketch summarizer feeds its flow
 * sketch are exactly the exact summarizer's flows. Under the sensor's former key (no ports-known
 * bit, frames without a destination skipped) three of these captures differed.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureFormatError, DecodedPacket, decodeRecord, openCaptureFile } from '@wirewatch/packet';
import { ExactSummarizer, FLOW_KEY_WORDS, FLOW_KEY_WORDS_V4, SketchSummarizer, keyHex } from '@wirewatch/traffic';
import { corpusFiles } from './corpus/corpus.js';

const files = corpusFiles();

/** A flow key in its 10-word form (an IPv4 key's 4 words [meta, src, dst, ports] spread out). */
function normalized(words: ArrayLike<number>, n: number): string {
  if (n === FLOW_KEY_WORDS) return keyHex(Uint32Array.from({ length: n }, (_, i) => words[i]));
  expect(n).toBe(FLOW_KEY_WORDS_V4);
  return keyHex(Uint32Array.of(words[0], words[1], 0, 0, 0, words[2], 0, 0, 0, words[3]));
}

describe.skipIf(files.length === 0)('what a flow is, exact and sketched, on the tcpdump corpus', () => {
  it("the sketch counts exactly the exact table's flows, capture by capture", () => {
    const exact = new ExactSummarizer();
    const sketch = new SketchSummarizer();
    const fed = new Set<string>();
    // Records every key the sketch summarizer adds to its flow sketch (the live HyperLogLog it encodes).
    const flowSketch = sketch.sketches().distinct.distinct_flows;
    const addKey = flowSketch.addKey.bind(flowSketch);
    flowSketch.addKey = (words, n = words.length) => {
      fed.add(normalized(words, n));
      addKey(words, n);
    };
    const d = new DecodedPacket();
    const differ: string[] = [];
    let compared = 0;
    let flows = 0;
    let withoutDestination = 0;
    for (const file of files) {
      let reader;
      try {
        reader = openCaptureFile(file);
      } catch (error) {
        if (error instanceof CaptureFormatError) continue;
        throw error;
      }
      exact.reset();
      sketch.reset();
      fed.clear();
      try {
        while (reader.next()) {
          decodeRecord(d, reader);
          exact.add(d);
          sketch.add(d);
        }
      } finally {
        reader.close();
      }
      const table = new Set<string>();
      exact.flows.forEach((key) => table.add(keyHex(key)));
      exact.flows.flows().forEach((f) => (withoutDestination += f.dst === '' ? 1 : 0));
      compared++;
      flows += table.size;
      const same = table.size === fed.size && [...table].every((k) => fed.has(k));
      if (!same) differ.push(`${basename(file)}: exact ${table.size} flows, sketch fed ${fed.size} keys`);
      // Few flows per capture: at precision 12 the estimate is linear counting, within one or two of the count.
      expect(Math.abs(sketch.view(0).cardinalities.flows - table.size), basename(file)).toBeLessThanOrEqual(
        Math.max(2, table.size * 0.02),
      );
    }
    expect(differ, differ.join('\n')).toEqual([]);
    expect(compared).toBeGreaterThan(700);
    expect(flows).toBeGreaterThan(1000);
    // The corpus holds frames cut after the source address: the case the two definitions used to disagree on.
    expect(withoutDestination).toBeGreaterThanOrEqual(3);
  });
});
