/** Ethernet/IPv4/UDP frames from 127.0.0.1 to 127.0.0.1 for tests and benchmarks (the package's `./testing` export, not its index). */
import { PcapWriter } from '@wirewatch/packet';

const ETHERNET = 14;
const IPV4 = 20;
const UDP = 8;

/** Builds frames into one reused Buffer: `frame(i)` is valid until the next call. */
export class UdpFrameBuilder {
  readonly buffer: Buffer;

  constructor(
    private readonly dstPort: number,
    readonly payloadBytes = 18,
  ) {
    this.buffer = Buffer.alloc(ETHERNET + IPV4 + UDP + payloadBytes);
    const b = this.buffer;
    b.writeUInt16BE(0x0800, 12); // MAC addresses stay zero, as on lo
    b[ETHERNET] = 0x45;
    b.writeUInt16BE(IPV4 + UDP + payloadBytes, ETHERNET + 2);
    b[ETHERNET + 8] = 64;
    b[ETHERNET + 9] = 17;
    b.writeUInt32BE(0x7f000001, ETHERNET + 12);
    b.writeUInt32BE(0x7f000001, ETHERNET + 16);
    b.writeUInt16BE(dstPort, ETHERNET + IPV4 + 2);
    b.writeUInt16BE(UDP + payloadBytes, ETHERNET + IPV4 + 4);
  }

  /** Frame number `i`: its IP id, source port and first payload word carry `i`. */
  frame(i: number): Buffer {
    const b = this.buffer;
    b.writeUInt16BE(i & 0xffff, ETHERNET + 4);
    b.writeUInt16BE(0, ETHERNET + 10);
    b.writeUInt16BE(ipv4Checksum(b, ETHERNET), ETHERNET + 10);
    b.writeUInt16BE(10000 + (i % 1000), ETHERNET + IPV4);
    if (this.payloadBytes >= 4) b.writeUInt32BE(i >>> 0, ETHERNET + IPV4 + UDP);
    return b;
  }
}

function ipv4Checksum(b: Buffer, at: number): number {
  let sum = 0;
  for (let k = 0; k < IPV4; k += 2) sum += b.readUInt16BE(at + k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Writes a PCAP of UDP frames to `port`, one per timestamp (seconds). */
export function writeUdpCapture(path: string, timestamps: ArrayLike<number>, port: number, payloadBytes = 18): void {
  const frames = new UdpFrameBuilder(port, payloadBytes);
  const writer = new PcapWriter(path, 1);
  for (let i = 0; i < timestamps.length; i++) {
    const frame = frames.frame(i);
    writer.write(timestamps[i], frame, 0, frame.length, frame.length);
  }
  writer.close();
}
