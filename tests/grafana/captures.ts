import { readFileSync, writeFileSync } from 'node:fs';

/**
 * A copy of a little-endian microsecond PCAP with `count` malformed Ethernet frames appended (IPv4 and
 * IPv6 headers cut short) just after its last packet, so that decode errors show up on the dashboards.
 */
export function withMalformedFrames(source: string, target: string, count: number): void {
  const data = readFileSync(source);
  if (data.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${source}: expected a little-endian microsecond PCAP`);
  let offset = 24;
  let lastSec = 0;
  let lastUsec = 0;
  while (offset + 16 <= data.length) {
    lastSec = data.readUInt32LE(offset);
    lastUsec = data.readUInt32LE(offset + 4);
    offset += 16 + data.readUInt32LE(offset + 8);
  }
  const records: Buffer[] = [data];
  for (let i = 0; i < count; i++) {
    const ipv6 = i % 2 === 1;
    const frame = Buffer.alloc(14 + (ipv6 ? 20 : 10));
    frame.fill(0x02, 0, 12);
    frame.writeUInt16BE(ipv6 ? 0x86dd : 0x0800, 12);
    frame[14] = ipv6 ? 0x60 : 0x45;
    const header = Buffer.alloc(16);
    // Within the last packet's second, so the capture keeps its number of intervals.
    const usec = Math.min(999_999, lastUsec + 1 + i);
    header.writeUInt32LE(lastSec, 0);
    header.writeUInt32LE(usec, 4);
    header.writeUInt32LE(frame.length, 8);
    header.writeUInt32LE(frame.length, 12);
    records.push(header, frame);
  }
  writeFileSync(target, Buffer.concat(records));
}
