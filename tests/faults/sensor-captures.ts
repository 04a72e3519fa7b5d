import { writeFileSync } from 'node:fs';

export interface ManyHostsCapture {
  /** Epoch ms of the first interval (a multiple of `intervalMs`). */
  startMs: number;
  intervals: number;
  intervalMs: number;
  /** Distinct source hosts (and ports) each interval: what makes a summary's top lists, and so its size, grow. */
  hostsPerInterval: number;
}

/**
 * Writes a classic PCAP (Ethernet, µs) of UDP frames from `hostsPerInterval` different sources in
 * every interval, stamped away from the interval boundaries: summaries of some tens of KB each,
 * the size that filled the 2 MB spool disk of issue 11.
 */
export function writeManyHostsPcap(path: string, c: ManyHostsCapture): { frames: number } {
  const FRAME = 60;
  const frames = c.intervals * c.hostsPerInterval;
  const out = Buffer.alloc(24 + frames * (16 + FRAME));
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(65535, 16);
  out.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  let at = 24;
  for (let i = 0; i < c.intervals; i++) {
    for (let h = 0; h < c.hostsPerInterval; h++) {
      // 1 ms into the interval, then one frame per 100 µs: never on a boundary.
      const us = (c.startMs + i * c.intervalMs + 1) * 1000 + h * 100;
      out.writeUInt32LE(Math.floor(us / 1e6), at);
      out.writeUInt32LE(us % 1e6, at + 4);
      out.writeUInt32LE(FRAME, at + 8);
      out.writeUInt32LE(FRAME, at + 12);
      writeFrame(out, at + 16, 10 + (h >> 8), h & 0xff, 1024 + h + i);
      at += 16 + FRAME;
    }
  }
  writeFileSync(path, out);
  return { frames };
}

function writeFrame(out: Buffer, at: number, b: number, c: number, port: number): void {
  out.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2], at);
  out.writeUInt16BE(0x0800, at + 12);
  const ip = at + 14;
  out.writeUInt8(0x45, ip);
  out.writeUInt16BE(46, ip + 2); // 20 IP + 8 UDP + 18 payload
  out.writeUInt8(64, ip + 8);
  out.writeUInt8(17, ip + 9);
  out.set([10, b, c, 1], ip + 12);
  out.set([192, 168, 0, 1], ip + 16);
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += out.readUInt16BE(ip + k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  out.writeUInt16BE(~sum & 0xffff, ip + 10);
  const udp = ip + 20;
  out.writeUInt16BE(port & 0xffff, udp);
  out.writeUInt16BE(53, udp + 2);
  out.writeUInt16BE(26, udp + 4);
}
