import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureFormatError } from '../errors.js';
import { MemorySource } from './byte-source.js';
import { openCaptureFile, openCaptureSource } from './open-capture.js';
import { PcapWriter } from './pcap-writer.js';
import type { RecordReader } from './record-reader.js';

interface Rec {
  ts: number;
  data: Buffer;
  orig?: number;
  iface?: number;
}

/** Classic PCAP bytes: either byte order, micro- or nanosecond magic. */
function pcap(records: Rec[], opts: { bigEndian?: boolean; nanos?: boolean; linkType?: number } = {}): Buffer {
  const w = (n: number) => {
    const b = Buffer.alloc(4);
    if (opts.bigEndian) b.writeUInt32BE(n >>> 0);
    else b.writeUInt32LE(n >>> 0);
    return b;
  };
  const h = (n: number) => {
    const b = Buffer.alloc(2);
    if (opts.bigEndian) b.writeUInt16BE(n);
    else b.writeUInt16LE(n);
    return b;
  };
  const parts: Buffer[] = [
    w(opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4),
    h(2),
    h(4),
    w(0),
    w(0),
    w(65535),
    w(opts.linkType ?? 1),
  ];
  for (const r of records) {
    const sec = Math.floor(r.ts);
    const frac = Math.round((r.ts - sec) * (opts.nanos ? 1e9 : 1e6));
    parts.push(w(sec), w(frac), w(r.data.length), w(r.orig ?? r.data.length), r.data);
  }
  return Buffer.concat(parts);
}

/** PCAPNG bytes: blocks in the given byte order; options as [code, value] pairs. */
class Pcapng {
  private readonly parts: Buffer[] = [];
  constructor(private readonly bigEndian = false) {}
  private u32(n: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.bigEndian) b.writeUInt32BE(n >>> 0);
    else b.writeUInt32LE(n >>> 0);
    return b;
  }
  private u16(n: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.bigEndian) b.writeUInt16BE(n);
    else b.writeUInt16LE(n);
    return b;
  }
  private block(type: number, body: Buffer): this {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const total = padded.length + 12;
    this.parts.push(this.u32(type), this.u32(total), padded, this.u32(total));
    return this;
  }
  private options(opts: [number, Buffer][]): Buffer {
    const out: Buffer[] = [];
    for (const [code, value] of opts)
      out.push(this.u16(code), this.u16(value.length), value, Buffer.alloc((4 - (value.length % 4)) % 4));
    if (opts.length > 0) out.push(Buffer.alloc(4));
    return Buffer.concat(out);
  }
  section(): this {
    return this.block(
      0x0a0d0d0a,
      Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), Buffer.alloc(8, 0xff)]),
    );
  }
  iface(linkType: number, opts: [number, Buffer][] = [], snapLen = 0): this {
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(snapLen), this.options(opts)]));
  }
  epb(iface: number, units: bigint, data: Buffer, orig = data.length): this {
    return this.block(
      6,
      Buffer.concat([
        this.u32(iface),
        this.u32(Number(units >> 32n)),
        this.u32(Number(units & 0xffffffffn)),
        this.u32(data.length),
        this.u32(orig),
        data,
      ]),
    );
  }
  /** Obsolete packet block (type 2): 16-bit interface id and drop count instead of a 32-bit id. */
  opb(iface: number, units: bigint, data: Buffer): this {
    return this.block(
      2,
      Buffer.concat([
        this.u16(iface),
        this.u16(0),
        this.u32(Number(units >> 32n)),
        this.u32(Number(units & 0xffffffffn)),
        this.u32(data.length),
        this.u32(data.length),
        data,
      ]),
    );
  }
  spb(data: Buffer, orig = data.length): this {
    return this.block(3, Buffer.concat([this.u32(orig), data]));
  }
  other(type: number, body: Buffer): this {
    return this.block(type, body);
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function readAll(bytes: Buffer): {
  reader: RecordReader;
  records: { ts: number; caplen: number; orig: number; linkType: number; first: number }[];
} {
  const reader = openCaptureSource(new MemorySource(bytes), 'test.cap');
  const records = [];
  while (reader.next()) {
    records.push({
      ts: reader.timestamp,
      caplen: reader.caplen,
      orig: reader.origLen,
      linkType: reader.linkType,
      first: reader.data[reader.offset],
    });
  }
  reader.close();
  return { reader, records };
}

const frame = (n: number, size = 60) => Buffer.alloc(size, n);

describe('PCAP reader', () => {
  it.each([
    ['little-endian, microseconds', {}],
    ['big-endian, microseconds', { bigEndian: true }],
    ['little-endian, nanoseconds', { nanos: true }],
    ['big-endian, nanoseconds', { bigEndian: true, nanos: true }],
  ])('reads %s', (_name, opts) => {
    const { reader, records } = readAll(
      pcap(
        [
          { ts: 1700000000.123456, data: frame(1) },
          { ts: 1700000001.5, data: frame(2, 100), orig: 1500 },
        ],
        opts,
      ),
    );
    expect(reader.format).toBe('pcap');
    expect(records.map((r) => [r.caplen, r.orig, r.first])).toEqual([
      [60, 60, 1],
      [100, 1500, 2],
    ]);
    expect(records[0].ts).toBeCloseTo(1700000000.123456, 6);
    expect(records[1].ts).toBeCloseTo(1700000001.5, 6);
    expect(reader.truncated).toBe(false);
  });

  it('keeps every complete record of a file cut inside a record, and says so', () => {
    const whole = pcap([
      { ts: 1, data: frame(1) },
      { ts: 2, data: frame(2) },
      { ts: 3, data: frame(3) },
    ]);
    for (const cut of [whole.length - 1, whole.length - 60, whole.length - 70]) {
      const { reader, records } = readAll(whole.subarray(0, cut));
      expect(records).toHaveLength(2);
      expect(reader.truncated).toBe(true);
      expect(reader.warnings[0]).toMatch(/^test\.cap: file ends inside/);
    }
  });

  it('stops at an impossible record length instead of reading garbage', () => {
    const bytes = pcap([
      { ts: 1, data: frame(1) },
      { ts: 2, data: frame(2) },
    ]);
    bytes.writeUInt32LE(10_000_000, 24 + 16 + 60 + 8); // second record's captured length
    const { reader, records } = readAll(bytes);
    expect(records).toHaveLength(1);
    expect(reader.warnings[0]).toMatch(/corrupt record/);
  });

  it('reads records that straddle the 1 MiB chunks', () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({ ts: i, data: frame(i & 0xff, 60 + ((i * 37) % 1400)) }));
    const { records: read } = readAll(pcap(records));
    expect(read).toHaveLength(3000);
    expect(read.every((r, i) => r.caplen === records[i].data.length && r.first === (i & 0xff))).toBe(true);
  });
});

describe('PCAPNG reader', () => {
  it('reads several interfaces with their own link type and timestamp resolution', () => {
    const bytes = new Pcapng()
      .section()
      .iface(1)
      .iface(101, [[9, Buffer.from([9])]]) // if_tsresol 10^-9
      .iface(1, [
        [9, Buffer.from([0x80 | 10])],
        [14, Buffer.from('0a00000000000000', 'hex')],
      ]) // 2^-10, offset +10 s
      .epb(0, 1700000000_250000n, frame(1))
      .other(0x40000bad, Buffer.alloc(8)) // a block nobody knows: skipped
      .epb(1, 1700000000_000000500n, frame(2, 40))
      .epb(2, 1024n * 5n + 512n, frame(3))
      .bytes();
    const { reader, records } = readAll(bytes);
    expect(reader.format).toBe('pcapng');
    expect(records.map((r) => [r.linkType, r.first])).toEqual([
      [1, 1],
      [101, 2],
      [1, 3],
    ]);
    expect(records[0].ts).toBeCloseTo(1700000000.25, 6);
    expect(records[1].ts).toBeCloseTo(1700000000.0000005, 6);
    expect(records[2].ts).toBeCloseTo(15.5, 6);
    expect([...reader.linkTypes].sort()).toEqual([1, 101]);
  });

  it('reads big-endian sections, a second section of the other byte order, and simple packet blocks', () => {
    const be = new Pcapng(true).section().iface(1, [], 50).spb(frame(7, 80), 80).bytes();
    const le = new Pcapng(false).section().iface(228).epb(0, 5_000_000n, frame(8)).bytes();
    const { records } = readAll(Buffer.concat([be, le]));
    expect(records.map((r) => [r.linkType, r.caplen, r.orig, r.first])).toEqual([
      [1, 50, 80, 7], // SPB: captured length is min(original, snap length, block)
      [228, 60, 60, 8],
    ]);
    expect(records[1].ts).toBeCloseTo(5, 6);
  });

  it('reads obsolete packet blocks', () => {
    const { records } = readAll(new Pcapng().section().iface(1).iface(101).opb(1, 2_500_000n, frame(4, 44)).bytes());
    expect(records.map((r) => [r.linkType, r.caplen, r.first])).toEqual([[101, 44, 4]]);
    expect(records[0].ts).toBeCloseTo(2.5, 6);
  });

  it('reads a block larger than the read-ahead room', () => {
    const big = frame(9, 3 * 1024 * 1024);
    const { records } = readAll(
      new Pcapng().section().iface(1).epb(0, 1n, frame(1)).epb(0, 2n, big).epb(0, 3n, frame(3)).bytes(),
    );
    expect(records.map((r) => [r.caplen, r.first])).toEqual([
      [60, 1],
      [big.length, 9],
      [60, 3],
    ]);
  });

  it('stops with a warning at a block whose lengths disagree, or a packet for a missing interface', () => {
    const bytes = new Pcapng().section().iface(1).epb(0, 1n, frame(1)).epb(0, 2n, frame(2)).bytes();
    const broken = Buffer.from(bytes);
    broken.writeUInt32LE(9999, broken.length - 4);
    const a = readAll(broken);
    expect(a.records).toHaveLength(1);
    expect(a.reader.warnings[0]).toMatch(/trailing length differs/);
    const b = readAll(new Pcapng().section().iface(1).epb(3, 1n, frame(1)).bytes());
    expect(b.records).toHaveLength(0);
    expect(b.reader.warnings[0]).toMatch(/unknown interface 3/);
  });
});

describe('format detection', () => {
  it.each([
    ['an empty file', Buffer.alloc(0), /is empty/],
    ['three bytes', Buffer.from('d4c3b2', 'hex'), /not a PCAP or PCAPNG file/],
    ['text', Buffer.from('hello world\n'), /not a PCAP or PCAPNG file \(starts with 0x68656c6c\)/],
    ['a PCAP header cut short', pcap([]).subarray(0, 10), /PCAP header cut short/],
  ])('rejects %s with one line', (_name, bytes, message) => {
    let error: unknown;
    try {
      openCaptureSource(new MemorySource(bytes), 'x.pcap');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CaptureFormatError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('PCAP writer', () => {
  it('writes a file that capinfos and this reader read back record for record', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirewatch-writer-'));
    try {
      const path = join(dir, 'out.pcap');
      const writer = new PcapWriter(path, 1);
      for (let i = 0; i < 500; i++) writer.write(1700000000 + i * 0.001, frame(i & 0xff, 60 + i), 0, 60 + i, 1500);
      writer.close();
      const reader = openCaptureFile(path);
      let n = 0;
      while (reader.next()) {
        expect([reader.caplen, reader.origLen, reader.data[reader.offset]]).toEqual([60 + n, 1500, n & 0xff]);
        n++;
      }
      reader.close();
      expect(n).toBe(500);
      const capinfos = spawnSync('capinfos', ['-c', '-M', path], { encoding: 'utf8' });
      expect(capinfos.status).toBe(0);
      expect(capinfos.stdout).toMatch(/Number of packets:\s+500\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
