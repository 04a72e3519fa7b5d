import { formatIpv4, formatIpv6 } from '@wirewatch/packet';

/** Addresses in table keys: [family (4 or 6), w0, w1, w2, w3]; IPv4 uses w0 only. */
export const ADDRESS_WORDS = 5;

export function formatAddressKey(keys: Uint32Array, at: number): string {
  return keys[at] === 4 ? formatIpv4(keys[at + 1]) : formatIpv6(keys[at + 1], keys[at + 2], keys[at + 3], keys[at + 4]);
}

/** Orders two keyed addresses: negative when the one at `a` sorts first. */
export function compareAddressKeys(keys: Uint32Array, a: number, b: number, words = ADDRESS_WORDS): number {
  for (let i = 0; i < words; i++) {
    const d = keys[a + i] - keys[b + i];
    if (d !== 0) return d;
  }
  return 0;
}
