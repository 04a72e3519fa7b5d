/** The few DNS messages the generator sends and answers (RFC 1035), built by hand: one question each. */

export const QTYPE_A = 1;
export const QTYPE_AAAA = 28;
export const RCODE_NOERROR = 0;
export const RCODE_NXDOMAIN = 3;

export interface DnsQuestion {
  id: number;
  name: string;
  qtype: number;
  /** Bytes of header and question: a response repeats them. */
  length: number;
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter((label) => label !== '');
  const out = Buffer.alloc(parts.reduce((n, label) => n + label.length + 1, 1));
  let at = 0;
  for (const label of parts) {
    if (label.length > 63) throw new Error(`DNS label longer than 63 bytes: ${label}`);
    at = out.writeUInt8(label.length, at);
    at += out.write(label, at, 'ascii');
  }
  return out;
}

/** A standard query with recursion desired, class IN. */
export function encodeQuery(id: number, name: string, qtype: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4); // QDCOUNT
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(qtype, 0);
  tail.writeUInt16BE(1, 2); // IN
  return Buffer.concat([header, encodeName(name), tail]);
}

/** The question of a query, or null for anything else (a response, a truncated or compressed name). */
export function parseQuery(message: Buffer): DnsQuestion | null {
  if (message.length < 17 || (message[2] & 0x80) !== 0 || message.readUInt16BE(4) !== 1) return null;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    const length = message[at];
    if (length === undefined || length > 63) return null;
    at++;
    if (length === 0) break;
    if (at + length > message.length) return null;
    labels.push(message.toString('ascii', at, at + length));
    at += length;
  }
  if (at + 4 > message.length) return null;
  return {
    id: message.readUInt16BE(0),
    name: labels.join('.').toLowerCase(),
    qtype: message.readUInt16BE(at),
    length: at + 4,
  };
}

/**
 * The answer to `query`: NXDOMAIN, or NOERROR with `address` (4 bytes for A, 16 for AAAA) as its one
 * record, or none (an empty NOERROR) when `address` is null.
 */
export function encodeResponse(
  query: Buffer,
  question: DnsQuestion,
  rcode: number,
  address: Uint8Array | null,
): Buffer {
  const head = Buffer.from(query.subarray(0, question.length));
  head.writeUInt16BE(0x8180 | rcode, 2); // QR, RD, RA
  const answers = rcode === RCODE_NOERROR && address !== null ? 1 : 0;
  head.writeUInt16BE(answers, 6);
  head.writeUInt32BE(0, 8); // NSCOUNT, ARCOUNT
  if (answers === 0) return head;
  const record = Buffer.alloc(12 + address!.length);
  record.writeUInt16BE(0xc00c, 0); // the name, by pointer to the question
  record.writeUInt16BE(question.qtype, 2);
  record.writeUInt16BE(1, 4);
  record.writeUInt32BE(300, 6); // TTL
  record.writeUInt16BE(address!.length, 10);
  Buffer.from(address!).copy(record, 12);
  return Buffer.concat([head, record]);
}

/** The response code of a response, or -1 for something that is not one. */
export function responseCode(message: Buffer): number {
  if (message.length < 12 || (message[2] & 0x80) === 0) return -1;
  return message[3] & 0x0f;
}
