import { DecodedPacket, decodeRecord, openCaptureFile } from '@wirewatch/packet';
import { SketchSummarizer } from '@wirewatch/traffic';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildSummaryMessage, decodeSummary, encodeMessage, type SummaryMeta } from './codec.js';
import { RejectionLog } from './rejection-log.js';
import { summarySubject } from './subjects.js';

const LAB = fileURLToPath(new URL('../../../samples/lab.pcap', import.meta.url));

function summarize(path: string, capacity = 512): SketchSummarizer {
  const s = new SketchSummarizer({ capacity });
  const d = new DecodedPacket();
  const reader = openCaptureFile(path);
  while (reader.next()) {
    decodeRecord(d, reader);
    s.add(d);
  }
  reader.close();
  return s;
}

const meta: SummaryMeta = {
  sensor: 'edge-1',
  run: 'r1',
  seq: 7,
  interface: 'eth0',
  start: 1000,
  end: 2000,
  emitted: 2100,
  kernelDropped: 0,
  late: 0,
};

describe('summary message', () => {
  it('round-trips: decoded top lists and counters equal the summarizer that built it', () => {
    const s = summarize(LAB);
    const bytes = encodeMessage(buildSummaryMessage(s, meta));
    const decoded = decodeSummary(bytes, summarySubject(meta.sensor));
    if (!decoded.ok) throw new Error(decoded.rejection.detail);
    const expected = s.view(20);
    expect(decoded.message.packets).toBe(expected.packets);
    expect(decoded.message.protocols).toEqual(expected.protocols);
    expect(decoded.message.dns.nxdomain).toBe(expected.dns.nxdomain);
    const lists = decoded.sketches.topLists(20);
    expect(lists.sources).toEqual(expected.top.sources);
    expect(lists.conversations).toEqual(expected.top.conversations);
    expect(lists.ports).toEqual(expected.top.ports);
    expect(lists.dns_names).toEqual(expected.top.dns_names);
    expect(decoded.sketches.cardinalities()).toEqual(expected.cardinalities);
  });

  it('merging two sensors equals one summarizer over both streams', () => {
    const one = summarize(LAB);
    const a = decodeSummary(encodeMessage(buildSummaryMessage(one, meta)), summarySubject('edge-1'));
    const b = decodeSummary(
      encodeMessage(buildSummaryMessage(one, { ...meta, sensor: 'edge-2' })),
      summarySubject('edge-2'),
    );
    if (!a.ok || !b.ok) throw new Error('decode failed');
    const merged = a.sketches.clone().merge(b.sketches);
    const single = one.view(5).top.sources;
    expect(merged.topLists(5).sources).toEqual(
      single.map((h) => ({ ...h, packets: h.packets * 2, bytes: h.bytes * 2 })),
    );
    // the clone left the original untouched
    expect(a.sketches.topLists(5).sources).toEqual(single);
  });

  it('rejects, by kind, what it cannot trust', () => {
    const good = buildSummaryMessage(summarize(LAB), meta);
    const kinds = (value: unknown): string => {
      const r = decodeSummary(
        Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
        summarySubject('edge-1'),
      );
      return r.ok ? 'accepted' : r.rejection.kind;
    };
    expect(kinds(good)).toBe('accepted');
    expect(kinds('{"type":')).toBe('json');
    expect(kinds({ ...good, version: 2 })).toBe('version');
    expect(kinds({ ...good, sensor: 'a.b' })).toBe('schema.sensor');
    expect(kinds({ ...good, packets: -1 })).toBe('schema.packets');
    expect(kinds({ ...good, end: good.start })).toBe('schema.end');
    const flipped = Buffer.from(good.sketches.sources, 'base64');
    flipped[40] ^= 1;
    expect(kinds({ ...good, sketches: { ...good.sketches, sources: flipped.toString('base64') } })).toBe(
      'sketch.sources',
    );
  });

  it('counts every rejection and reports each kind once', () => {
    const log = new RejectionLog();
    expect(log.record({ kind: 'json', detail: 'x' })).toBe(true);
    expect(log.record({ kind: 'json', detail: 'y' })).toBe(false);
    expect(log.record({ kind: 'version', detail: 'z' })).toBe(true);
    expect(log.byKind()).toEqual({ json: 2, version: 1 });
    expect(log.total).toBe(3);
  });

  it('refuses sensor ids that are not one subject token', () => {
    expect(summarySubject('edge-1')).toBe('wirewatch.v1.summary.edge-1');
    expect(() => summarySubject('edge.1')).toThrow(/subject token/);
    expect(() => summarySubject('>')).toThrow(/subject token/);
  });
});
