import { HyperLogLog, SpaceSaving } from '@wirewatch/traffic';
import { summarizerWithHosts } from '@wirewatch/traffic/testing';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { alertMessageSchema, type AlertMessage } from './alert-message.js';
import {
  buildSummaryMessage,
  decodeHeartbeat,
  decodeSummary,
  decodeSummaryForStorage,
  encodeMessage,
} from './codec.js';
import type { HeartbeatMessage } from './heartbeat-message.js';
import {
  DECODE_ERROR_NAMES,
  SKETCH_MAX_CAPACITY,
  packetSizeBuckets,
  SKETCH_MAX_PRECISION,
  TOP_SKETCH_KEY_WORDS,
} from './limits.js';
import { heartbeatSubject, summarySubject } from './subjects.js';
import type { SummaryMessage } from './summary-message.js';

const SUBJECT = summarySubject('edge1');
const MiB = 1024 * 1024;

/** A sensor's summary with the given sketch sizes (a few hosts seen). */
function summary(capacity = 64, precision = 10): SummaryMessage {
  const s = summarizerWithHosts([1, 2, 3], 100, { capacity, precision });
  return buildSummaryMessage(s, {
    sensor: 'edge1',
    run: 'r1',
    seq: 1,
    interface: 'eth0',
    start: 1000,
    end: 2000,
    emitted: 2100,
    kernelDropped: 0,
    late: 0,
  });
}

function heartbeat(): HeartbeatMessage {
  const iface = {
    name: 'eth0',
    running: true,
    packets: 1,
    bytes: 1,
    decode_errors: 0,
    kernel_dropped: 0,
    pcap_written: 0,
    pcap_write_errors: 0,
  };
  return {
    type: 'heartbeat',
    version: 1,
    sensor: 'edge1',
    run: 'r1',
    sent: 2000,
    started: 1000,
    software: 'wirewatch 0.1.0',
    interfaces: [iface],
    published: 1,
    last_seq: 1,
    publish_lag_ms: 0,
    spool: {
      records: 0,
      bytes: 0,
      dropped_oldest: 0,
      dropped_write_errors: 0,
      dropped_oversize: 0,
      corrupt_skipped: 0,
    },
  };
}

/** An empty top-list sketch whose header declares `capacity` counters (checksum valid: well-formed, hostile). */
function forgedTop(keyWords: number, capacity: number): string {
  const bytes = new SpaceSaving(keyWords, 16).serialize();
  new DataView(bytes.buffer).setUint32(8, capacity, true);
  return reseal(bytes);
}

/** An empty distinct-count sketch declaring precision `p`. */
function forgedDistinct(p: number): string {
  const bytes = new HyperLogLog(4).serialize();
  bytes[5] = p;
  return reseal(bytes);
}

function reseal(bytes: Uint8Array): string {
  new DataView(bytes.buffer).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)) >>> 0, true);
  return Buffer.from(bytes).toString('base64');
}

/** Every top-list sketch of `m` replaced by an empty one declaring `capacity`. */
function withCapacity(m: SummaryMessage, capacity: number): SummaryMessage {
  const sketches = { ...m.sketches };
  for (const [name, kw] of Object.entries(TOP_SKETCH_KEY_WORDS))
    sketches[name as keyof typeof TOP_SKETCH_KEY_WORDS] = forgedTop(kw, capacity);
  return { ...m, sketches };
}

const bytesOf = (m: unknown) => Buffer.from(JSON.stringify(m));
const kindOf = (r: { ok: true } | { ok: false; rejection: { kind: string } }) => (r.ok ? 'accepted' : r.rejection.kind);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('identity: the subject names the sensor', () => {
  it('refuses a summary or heartbeat whose body names another sensor than its subject', () => {
    const victim = bytesOf({ ...summary(), sensor: 'victim' });
    expect(kindOf(decodeSummary(victim, SUBJECT))).toBe('identity');
    expect(kindOf(decodeSummaryForStorage(victim, 10, SUBJECT))).toBe('identity');
    expect(kindOf(decodeSummary(victim, summarySubject('victim')))).toBe('accepted');
    const hb = bytesOf({ ...heartbeat(), sensor: 'victim' });
    const refused = decodeHeartbeat(hb, heartbeatSubject('edge1'));
    expect(kindOf(refused)).toBe('identity');
    if (!refused.ok)
      expect(refused.rejection.detail).toBe(
        'body says sensor "victim" but it arrived on wirewatch.v1.heartbeat.edge1, not wirewatch.v1.heartbeat.victim',
      );
    expect(kindOf(decodeHeartbeat(hb, heartbeatSubject('victim')))).toBe('accepted');
    // Exactly the sensor's own subject: not one below another sensor's, not the other kind's.
    expect(kindOf(decodeSummary(victim, 'wirewatch.v1.summary.edge1.victim'))).toBe('identity');
    expect(kindOf(decodeHeartbeat(hb, 'wirewatch.v1.summary.victim'))).toBe('identity');
  });
});

describe('sketch sizes: bounded by what a sensor can be configured with, checked before allocating', () => {
  it('accepts the largest sketches a sensor can send (capacity 65536, precision 16, every counter in use)', () => {
    const m = summary(SKETCH_MAX_CAPACITY, SKETCH_MAX_PRECISION);
    const full = new SpaceSaving(TOP_SKETCH_KEY_WORDS.conversations, SKETCH_MAX_CAPACITY);
    for (let i = 0; i < SKETCH_MAX_CAPACITY; i++) {
      full.key[0] = i;
      full.offer(100 + i, 1);
    }
    const conversations = full.serialize();
    expect(conversations.length).toBe(
      SpaceSaving.maxSerializedLength(TOP_SKETCH_KEY_WORDS.conversations, SKETCH_MAX_CAPACITY),
    );
    const dense = new HyperLogLog(SKETCH_MAX_PRECISION);
    for (let i = 0; i < 200_000; i++) dense.addKey([i, 7]);
    const flows = dense.serialize();
    expect(flows.length).toBe(HyperLogLog.maxSerializedLength(SKETCH_MAX_PRECISION));
    const largest = {
      ...m,
      sketches: {
        ...m.sketches,
        conversations: Buffer.from(conversations).toString('base64'),
        distinct_flows: Buffer.from(flows).toString('base64'),
      },
    };

    const before = process.memoryUsage().arrayBuffers;
    const decoded = decodeSummary(bytesOf(largest), SUBJECT);
    if (!decoded.ok) throw new Error(decoded.rejection.detail);
    // Five sketches of 65536 counters and four of 2^16 registers, with their hash tables: about 25 MB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(40 * MiB);
    expect(decoded.sketches.top.conversations.size).toBe(SKETCH_MAX_CAPACITY);
    expect(kindOf(decodeSummaryForStorage(bytesOf(largest), 10, SUBJECT))).toBe('accepted');
  });

  it('refuses a declared capacity just past the bound, and 2^22 and 2^24, quickly and before building any sketch', () => {
    const deserialize = vi.spyOn(SpaceSaving, 'deserialize');
    const readTop = vi.spyOn(SpaceSaving, 'readTop');
    const hll = vi.spyOn(HyperLogLog, 'deserialize');
    const good = summary();
    const kept: unknown[] = [];
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    for (const capacity of [SKETCH_MAX_CAPACITY + 1, 2 ** 22, 2 ** 24]) {
      const hostile = bytesOf(withCapacity(good, capacity));
      expect(hostile.length).toBeLessThan(8 * 1024);
      for (let i = 0; i < 50; i++) {
        const merged = decodeSummary(hostile, SUBJECT);
        const stored = decodeSummaryForStorage(hostile, 10, SUBJECT);
        expect(kindOf(merged)).toBe('sketch.sources');
        expect(kindOf(stored)).toBe('sketch.sources');
        if (!merged.ok) expect(merged.rejection.detail).toContain(`capacity ${capacity} outside 1..65536`);
        kept.push(merged, stored);
      }
    }
    const elapsed = performance.now() - t0;
    // 300 refusals: the header is read, nothing sized by it is reserved (2^24 counters would be ~5 GB each).
    expect(deserialize).not.toHaveBeenCalled();
    expect(readTop).not.toHaveBeenCalled();
    expect(hll).not.toHaveBeenCalled();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * MiB);
    expect(elapsed).toBeLessThan(2000);
    expect(kept).toHaveLength(300);
  });

  it('refuses forged key layouts, precisions past 16, and shapes that differ within a message, before building', () => {
    const deserialize = vi.spyOn(SpaceSaving, 'deserialize');
    const hll = vi.spyOn(HyperLogLog, 'deserialize');
    const good = summary();
    const sketches = good.sketches;
    const cases: Array<[Partial<SummaryMessage['sketches']>, string, RegExp]> = [
      [{ conversations: forgedTop(64, 64) }, 'sketch.conversations', /key words 64, expected 9/],
      [{ ports: forgedTop(2, 128) }, 'sketch.ports', /capacity 128 differs from sources' 64/],
      [{ distinct_flows: forgedDistinct(17) }, 'sketch.distinct_flows', /precision 17 outside 4\.\.16/],
      [{ distinct_flows: forgedDistinct(24) }, 'sketch.distinct_flows', /precision 24 outside 4\.\.16/],
      [
        { distinct_flows: forgedDistinct(12) },
        'sketch.distinct_flows',
        /precision 12 differs from distinct_sources' 10/,
      ],
    ];
    for (const [patch, kind, detail] of cases) {
      const r = decodeSummary(bytesOf({ ...good, sketches: { ...sketches, ...patch } }), SUBJECT);
      expect(kindOf(r)).toBe(kind);
      if (!r.ok) expect(r.rejection.detail).toMatch(detail);
    }
    expect(deserialize).not.toHaveBeenCalled();
    expect(hll).not.toHaveBeenCalled();
  });

  it('refuses a sketch string longer than the largest sketch of its kind', () => {
    const longest = (bytes: number) => 'A'.repeat(4 * Math.ceil(bytes / 3));
    const m = summary();
    const atBound = longest(SpaceSaving.maxSerializedLength(TOP_SKETCH_KEY_WORDS.ports, SKETCH_MAX_CAPACITY));
    // At the bound the string passes the schema (and fails only its checksum); one more block is refused unread.
    expect(kindOf(decodeSummary(bytesOf({ ...m, sketches: { ...m.sketches, ports: atBound } }), SUBJECT))).toBe(
      'sketch.ports',
    );
    expect(
      kindOf(decodeSummary(bytesOf({ ...m, sketches: { ...m.sketches, ports: `${atBound}AAAA` } }), SUBJECT)),
    ).toBe('schema.sketches');
    const hllBound = longest(HyperLogLog.maxSerializedLength(SKETCH_MAX_PRECISION));
    expect(
      kindOf(decodeSummary(bytesOf({ ...m, sketches: { ...m.sketches, distinct_flows: `${hllBound}AAAA` } }), SUBJECT)),
    ).toBe('schema.sketches');
  });
});

describe('lists, maps and strings: bounded in the schema', () => {
  it('summary: longest lists and strings accepted, one more refused', () => {
    const m = summary();
    const fanout = (n: number) => ({
      ...m.fanout,
      sources: Array.from({ length: n }, () => ({ ip: 'f'.repeat(64), ports: 1, destinations: 1 })),
    });
    const sizes = (n: number) => Array.from({ length: n }, (_, i) => ({ le: i + 1, packets: 0 }));
    const buckets = packetSizeBuckets();
    const names = (n: number, length: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [i.toString(16).padStart(24, '0'), 'n'.repeat(length)]));
    const kind = (patch: Partial<SummaryMessage>) =>
      kindOf(decodeSummaryForStorage(bytesOf({ ...m, ...patch }), 10, SUBJECT));
    expect(kind({ interface: 'i'.repeat(256), fanout: fanout(100), dns_name_strings: names(1, 1024) })).toBe(
      'accepted',
    );
    // Frame-size buckets become field names (size_le_<n>): only the sensor's own, in its order.
    expect(m.packet_sizes.map((b) => b.le)).toEqual(buckets);
    expect(buckets).toEqual([64, 127, 255, 511, 1023, 1518, null]);
    expect(kind({ packet_sizes: m.packet_sizes.map((b, i) => (i === 0 ? { ...b, le: 65 } : b)) })).toBe(
      'schema.packet_sizes',
    );
    expect(kind({ packet_sizes: m.packet_sizes.slice(1) })).toBe('schema.packet_sizes');
    expect(kind({ packet_sizes: [...m.packet_sizes].reverse() })).toBe('schema.packet_sizes');
    expect(kind({ dns_name_strings: names(SKETCH_MAX_CAPACITY, 1) })).toBe('accepted');
    expect(kind({ interface: 'i'.repeat(257) })).toBe('schema.interface');
    expect(kind({ fanout: fanout(101) })).toBe('schema.fanout');
    expect(kind({ packet_sizes: sizes(33) })).toBe('schema.packet_sizes');
    expect(kind({ dns_name_strings: names(1, 1025) })).toBe('schema.dns_name_strings');
    expect(kind({ dns_name_strings: names(SKETCH_MAX_CAPACITY + 1, 1) })).toBe('schema.dns_name_strings');
  });

  it('decode-error reasons, rcodes and qtypes: unknown names are summed into `other`, never become new names', () => {
    const m = summary();
    const invented = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`made-up-${i}`, 1]));
    const hostile = {
      ...m,
      decode_errors: { total: 20_003, by_reason: { ...invented, 'tcp.truncated': 3 } },
      dns: {
        ...m.dns,
        rcodes: { NOERROR: 5, RCODE15: 1, BOGUS: 2 },
        qtypes: { A: 4, TYPE65535: 1, TYPE65536: 1, TYPE007: 1, nope: 1 },
      },
    };
    const d = decodeSummaryForStorage(bytesOf(hostile), 10, SUBJECT);
    if (!d.ok) throw new Error(d.rejection.detail);
    expect(d.message.decode_errors.by_reason).toEqual({ other: 20_000, 'tcp.truncated': 3 });
    expect(d.message.dns.rcodes).toEqual({ NOERROR: 5, RCODE15: 1, other: 2 });
    expect(d.message.dns.qtypes).toEqual({ A: 4, TYPE65535: 1, other: 3 });
    // Every reason the packet decoder reports is kept under its own name.
    const all = Object.fromEntries([...DECODE_ERROR_NAMES].map((r) => [r, 1]));
    const kept = decodeSummaryForStorage(
      bytesOf({ ...m, decode_errors: { total: DECODE_ERROR_NAMES.size, by_reason: all } }),
      10,
      SUBJECT,
    );
    expect(kept.ok && kept.message.decode_errors.by_reason).toEqual(all);
  });

  it('heartbeat: 64 interfaces and the longest strings accepted, one more refused', () => {
    const hb = heartbeat();
    const subject = heartbeatSubject('edge1');
    const interfaces = (n: number, name = 'eth0') => Array.from({ length: n }, () => ({ ...hb.interfaces[0], name }));
    const kind = (patch: Partial<HeartbeatMessage>) => kindOf(decodeHeartbeat(bytesOf({ ...hb, ...patch }), subject));
    expect(kind({ interfaces: interfaces(64, 'i'.repeat(256)), software: 's'.repeat(64) })).toBe('accepted');
    expect(kind({ interfaces: interfaces(65) })).toBe('schema.interfaces');
    expect(kind({ interfaces: interfaces(1, 'i'.repeat(257)) })).toBe('schema.interfaces');
    expect(kind({ software: 's'.repeat(65) })).toBe('schema.software');
  });

  it('alert: 64 labels and the longest strings accepted, one more refused', () => {
    const alert: AlertMessage = {
      type: 'alert',
      version: 1,
      rule: 'r',
      state: 'firing',
      repeat: false,
      silenced: false,
      severity: 'warning',
      dedup_key: 'k'.repeat(512),
      labels: {},
      summary: 's'.repeat(1024),
      value: 1,
      threshold: 0,
      since: new Date(0).toISOString(),
      at: new Date(0).toISOString(),
    };
    const labels = (n: number, keyLength = 8, valueLength = 8) =>
      Object.fromEntries(
        Array.from({ length: n }, (_, i) => [`${i}`.padStart(keyLength, 'k'), 'v'.repeat(valueLength)]),
      );
    expect(alertMessageSchema.safeParse({ ...alert, labels: labels(64, 128, 1024) }).success).toBe(true);
    expect(alertMessageSchema.safeParse({ ...alert, labels: labels(65) }).success).toBe(false);
    expect(alertMessageSchema.safeParse({ ...alert, labels: labels(1, 129) }).success).toBe(false);
    expect(alertMessageSchema.safeParse({ ...alert, labels: labels(1, 8, 1025) }).success).toBe(false);
    expect(alertMessageSchema.safeParse({ ...alert, summary: 's'.repeat(1025) }).success).toBe(false);
    expect(alertMessageSchema.safeParse({ ...alert, dedup_key: 'k'.repeat(513) }).success).toBe(false);
    expect(alertMessageSchema.safeParse({ ...alert, at: 'x'.repeat(65) }).success).toBe(false);
  });
});

describe('encoding the round trip', () => {
  it('the sensor’s own messages at every allowed sketch size decode unchanged', () => {
    for (const [capacity, precision] of [
      [1, 4],
      [16, 4],
      [512, 12],
      [SKETCH_MAX_CAPACITY, SKETCH_MAX_PRECISION],
    ]) {
      const m = summary(capacity, precision);
      const d = decodeSummary(encodeMessage(m), SUBJECT);
      expect(d.ok && d.message).toEqual(m);
    }
  });
});
