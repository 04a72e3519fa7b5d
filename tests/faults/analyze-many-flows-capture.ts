/**
 * Writes a classic pcap with `flows` distinct one-packet UDP flows, quickly (about a second per
 * million): 10.0.0.0 + i/4 -> 198.51.100.1, source port 40000 + i%4, destination port 9, one
 * microsecond apart. Every fourth flow after the first 1000 is given a second packet, so the busiest
 * flows are not simply the first ones written.
 *
 *   node --import tsx tests/faults/analyze-many-flows-capture.ts OUT.pcap FLOWS
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FRAME = 42; // Ethernet 14 + IPv4 20 + UDP 8
const RECORD = 16 + FRAME;
const BATCH = 65_536;

export interface ManyFlowsCapture {
  flows: number;
  packets: number;
  bytes: number;
}

export function hasSecondPacket(i: number): boolean {
  return i >= 1000 && i % 4 === 0;
}

export function writeManyFlowsCapture(path: string, flows: number): ManyFlowsCapture {
  const fd = openSync(path, 'w');
  let packets = 0;
  try {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(65_535, 16);
    header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
    writeSync(fd, header);
    const buffer = Buffer.alloc(BATCH * RECORD);
    let used = 0;
    const record = (i: number) => {
      const at = used * RECORD;
      const micros = packets++;
      buffer.writeUInt32LE(1_700_000_000 + Math.floor(micros / 1e6), at);
      buffer.writeUInt32LE(micros % 1e6, at + 4);
      buffer.writeUInt32LE(FRAME, at + 8);
      buffer.writeUInt32LE(FRAME, at + 12);
      const f = at + 16;
      buffer.fill(0, f, f + FRAME);
      buffer.writeUInt32BE(0x02000000, f); // dst MAC 02:00:00:00:00:01, src 02:00:00:00:00:02
      buffer.writeUInt16BE(0x0001, f + 4);
      buffer.writeUInt32BE(0x02000000, f + 6);
      buffer.writeUInt16BE(0x0002, f + 10);
      buffer.writeUInt16BE(0x0800, f + 12);
      const ip = f + 14;
      buffer.writeUInt16BE(0x4500, ip);
      buffer.writeUInt16BE(28, ip + 2);
      buffer.writeUInt16BE(0x4000, ip + 6); // DF
      buffer.writeUInt16BE(0x4011, ip + 8); // TTL 64, UDP
      buffer.writeUInt32BE((0x0a000000 + Math.floor(i / 4)) >>> 0, ip + 12);
      buffer.writeUInt32BE(0xc6336401, ip + 16);
      let sum = 0;
      for (let w = 0; w < 20; w += 2) sum += buffer.readUInt16BE(ip + w);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      buffer.writeUInt16BE(~sum & 0xffff, ip + 10);
      const udp = ip + 20;
      buffer.writeUInt16BE(40_000 + (i % 4), udp);
      buffer.writeUInt16BE(9, udp + 2);
      buffer.writeUInt16BE(8, udp + 4);
      if (++used === BATCH) {
        writeSync(fd, buffer);
        used = 0;
      }
    };
    for (let i = 0; i < flows; i++) {
      record(i);
      if (hasSecondPacket(i)) record(i);
    }
    if (used > 0) writeSync(fd, buffer, 0, used * RECORD);
  } finally {
    closeSync(fd);
  }
  return { flows, packets, bytes: packets * FRAME };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [path, count] = process.argv.slice(2);
  if (!path || !count) {
    process.stderr.write('usage: node --import tsx tests/faults/analyze-many-flows-capture.ts OUT.pcap FLOWS\n');
    process.exit(2);
  }
  const made = writeManyFlowsCapture(path, Number(count));
  process.stdout.write(`${path}: ${made.flows} flows, ${made.packets} packets\n`);
}
