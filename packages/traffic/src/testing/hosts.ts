import { DecodedPacket, NET_IPV4 } from '@wirewatch/packet';
import { SketchSummarizer, type SketchOptions } from '../sketch-summarizer.js';

/** A summarizer that saw one IPv4 frame of `bytes` from each host in `hosts` (the address is the number). */
export function summarizerWithHosts(
  hosts: readonly number[],
  bytes: number,
  options: SketchOptions = { capacity: 64 },
): SketchSummarizer {
  const s = new SketchSummarizer(options);
  const d = new DecodedPacket();
  for (const h of hosts) {
    d.reset(1);
    d.network = NET_IPV4;
    d.hasSource = true;
    d.src0 = h;
    d.wireLength = bytes;
    d.capturedLength = bytes;
    s.add(d);
  }
  return s;
}
