/**
 * The sensor's bounded summarizer against the exact one on the same packets: identical while the
 * sketches have room for every key, within their stated guarantees when they do not.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DecodedPacket, decodeRecord, openCaptureFile } from '@wirewatch/packet';
import { ExactSummarizer, SketchSummarizer, type SummaryView, type TrafficSummarizer } from '@wirewatch/traffic';

const LAB = join(fileURLToPath(new URL('..', import.meta.url)), 'samples/lab.pcap');

function summarize(path: string, summarizers: TrafficSummarizer[], topN: number): SummaryView[] {
  const reader = openCaptureFile(path);
  const d = new DecodedPacket();
  while (reader.next()) {
    decodeRecord(d, reader);
    for (const s of summarizers) s.add(d);
  }
  reader.close();
  return summarizers.map((s) => s.view(topN));
}

function canonical(s: SummaryView): SummaryView {
  const order = <T>(list: T[]) => [...list].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const { top } = s;
  return {
    ...s,
    top: {
      sources: order(top.sources),
      destinations: order(top.destinations),
      conversations: order(top.conversations),
      ports: order(top.ports),
      dns_names: order(top.dns_names),
    },
  };
}

describe('SketchSummarizer', () => {
  it('matches the exact summary when every key fits in the sketches', () => {
    // Whole lists (ties at a cut may be broken differently), compared in one canonical order.
    const [exact, sketch] = summarize(LAB, [new ExactSummarizer(), new SketchSummarizer({ capacity: 4096 })], 100_000);
    const { cardinalities: ec, ...exactRest } = canonical(exact);
    const { cardinalities: sc, ...sketchRest } = canonical(sketch);
    expect(sketchRest).toEqual(exactRest);
    expect(sc.exact).toBe(false);
    for (const k of ['sources', 'destinations', 'conversations', 'flows'] as const) {
      // p=12: standard error 1.6%; small sets are counted almost exactly by linear counting.
      expect(Math.abs(sc[k] - ec[k]) / ec[k], k).toBeLessThan(0.05);
    }
  });

  it('keeps the Space-Saving guarantees when the sketches are far smaller than the key set', () => {
    const k = 8;
    const [exact, sketch] = summarize(LAB, [new ExactSummarizer(), new SketchSummarizer({ capacity: k })], 1000);
    const trueBytes = new Map(exact.top.destinations.map((h) => [h.ip, h.bytes]));
    const total = exact.top.destinations.reduce((sum, h) => sum + h.bytes, 0);
    expect(exact.top.destinations.length).toBeGreaterThan(k);
    const reported = new Set(sketch.top.destinations.map((h) => h.ip));
    expect(sketch.top.destinations.length).toBe(k);
    for (const h of sketch.top.destinations) expect(h.bytes).toBeGreaterThanOrEqual(trueBytes.get(h.ip) ?? 0);
    for (const [ip, bytes] of trueBytes) if (bytes > total / k) expect(reported.has(ip), ip).toBe(true);
    // Counters that do not depend on keys stay exact.
    expect(sketch.packets).toBe(exact.packets);
    expect(sketch.protocols).toEqual(exact.protocols);
    expect(sketch.dns.queries).toBe(exact.dns.queries);
  });

  it('starts over after reset()', () => {
    const s = new SketchSummarizer({ capacity: 64 });
    const [first] = summarize(LAB, [s], 5);
    s.reset();
    expect(s.view(5).packets).toBe(0);
    expect(s.view(5).top.sources).toEqual([]);
    const [again] = summarize(LAB, [s], 5);
    expect(again).toEqual(first);
  });
});
