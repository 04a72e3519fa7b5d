import type { DecodedPacket } from './decoded-packet.js';
import { ERR_DNS_MALFORMED } from './errors.js';

const HEADER = 12;
const MAX_NAME = 255;
const MAX_POINTER_JUMPS = 16;

/** DNS header and the first question (name, type); the name is copied lower-cased into d.dnsName. */
export function decodeDns(d: DecodedPacket, buf: Uint8Array, msg: number, end: number): void {
  if (end - msg < HEADER) return d.fail(ERR_DNS_MALFORMED);
  d.isDns = true;
  d.dnsResponse = (buf[msg + 2] & 0x80) !== 0;
  d.dnsRcode = buf[msg + 3] & 0x0f;
  const questions = (buf[msg + 4] << 8) | buf[msg + 5];
  if (questions === 0) return;
  const afterName = readName(d, buf, msg, msg + HEADER, end);
  if (afterName < 0 || afterName + 4 > end) {
    d.dnsNameLength = 0;
    return d.fail(ERR_DNS_MALFORMED);
  }
  d.dnsQtype = (buf[afterName] << 8) | buf[afterName + 1];
}

/** Returns the offset after the name as it stands in the question, or -1 if malformed. */
function readName(d: DecodedPacket, buf: Uint8Array, msg: number, p: number, end: number): number {
  const out = d.dnsName;
  let length = 0;
  let after = -1;
  let jumps = 0;
  for (;;) {
    if (p >= end) return -1;
    const label = buf[p];
    if (label === 0) {
      if (after < 0) after = p + 1;
      break;
    }
    const kind = label & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= end || ++jumps > MAX_POINTER_JUMPS) return -1;
      if (after < 0) after = p + 2;
      p = msg + (((label & 0x3f) << 8) | buf[p + 1]);
      continue;
    }
    if (kind !== 0) return -1;
    if (p + 1 + label > end || length + label + 1 > MAX_NAME) return -1;
    if (length > 0) out[length++] = 0x2e;
    for (let i = 1; i <= label; i++) {
      const c = buf[p + i];
      out[length++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    }
    p += label + 1;
  }
  d.dnsNameLength = length;
  return after;
}
