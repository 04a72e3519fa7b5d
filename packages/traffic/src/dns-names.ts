import type { DecodedPacket } from '@wirewatch/packet';
import { dnsNameKey } from './key-layout.js';
import { KeyTable } from './table/key-table.js';
import type { DnsNameEntry } from './summary.js';

const RCODES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
  'DSOTYPENI',
];
const QTYPES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  43: 'DS',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  52: 'TLSA',
  64: 'SVCB',
  65: 'HTTPS',
  99: 'SPF',
  252: 'AXFR',
  251: 'IXFR',
  255: 'ANY',
  257: 'CAA',
};

export function rcodeName(code: number): string {
  return RCODES[code] ?? `RCODE${code}`;
}

export function qtypeName(type: number): string {
  return QTYPES[type] ?? `TYPE${type}`;
}

/**
 * Query names counted exactly. Counting a name already seen allocates nothing (see dnsNameKey); its
 * string is made once, when first seen.
 */
export class DnsNameCounter {
  private readonly table = new KeyTable(3, 1, { initialCapacity: 256 });
  private readonly names: string[] = [];

  add(d: DecodedPacket): void {
    const t = this.table;
    dnsNameKey(d, t.key);
    const slot = t.findOrInsert();
    if (t.inserted) this.names[slot] = nameToString(d.dnsName, d.dnsNameLength);
    t.values[slot]++;
  }

  top(n: number): DnsNameEntry[] {
    const out: DnsNameEntry[] = [];
    for (let slot = 0; slot < this.table.size; slot++)
      out.push({ name: this.names[slot], queries: this.table.values[slot] });
    out.sort((a, b) => b.queries - a.queries || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return out.slice(0, n);
  }

  get size(): number {
    return this.table.size;
  }

  reset(): void {
    this.table.clear();
    this.names.length = 0;
  }
}

/** Printable ASCII as is; other bytes as \DDD, the way zone files and dig write them. */
export function nameToString(bytes: Uint8Array, length: number): string {
  if (length === 0) return '.';
  let out = '';
  for (let i = 0; i < length; i++) {
    const c = bytes[i];
    out += c > 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\${c.toString().padStart(3, '0')}`;
  }
  return out;
}
