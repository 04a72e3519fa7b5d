import { ADDRESS_WORDS, formatAddressKey } from './address-key.js';
import type { HeavyHitter, SpaceSaving } from './sketch/space-saving.js';
import type { ConversationEntry, HostEntry, PortEntry } from './summary.js';

const TCP = 6;

/** Key layouts of the sensor's sketches, shared by the summarizer that fills them and whoever reads them back. */
export const SOURCE_KEY_WORDS = ADDRESS_WORDS;
export const CONVERSATION_KEY_WORDS = ADDRESS_WORDS * 2 - 1;
export const PORT_KEY_WORDS = 2;
export const DNS_NAME_KEY_WORDS = 3;

export function hostList(sketch: SpaceSaving, topN: number): HostEntry[] {
  return sketch.entries(topN).map(host);
}

export function conversationList(sketch: SpaceSaving, topN: number): ConversationEntry[] {
  return sketch.entries(topN).map(conversation);
}

export function portList(sketch: SpaceSaving, topN: number): PortEntry[] {
  return sketch.entries(topN).map(port);
}

/** The same lists from entries read straight off a serialized sketch (`SpaceSaving.readTop`). */
export const hostsOf = (entries: HeavyHitter[]): HostEntry[] => entries.map(host);
export const conversationsOf = (entries: HeavyHitter[]): ConversationEntry[] => entries.map(conversation);
export const portsOf = (entries: HeavyHitter[]): PortEntry[] => entries.map(port);

/** Hex of a sketch key's words: a stable string handle, e.g. for DNS names sent beside their sketch. */
export function keyHex(key: Uint32Array): string {
  let out = '';
  for (let i = 0; i < key.length; i++) out += key[i].toString(16).padStart(8, '0');
  return out;
}

function host(e: HeavyHitter): HostEntry {
  return { ip: formatAddressKey(e.key, 0), packets: e.packets, bytes: e.bytes };
}

function conversation(e: HeavyHitter): ConversationEntry {
  const k = e.key;
  return {
    a: formatAddressKey(Uint32Array.of(k[0], k[1], k[2], k[3], k[4]), 0),
    b: formatAddressKey(Uint32Array.of(k[0], k[5], k[6], k[7], k[8]), 0),
    packets: e.packets,
    bytes: e.bytes,
  };
}

function port(e: HeavyHitter): PortEntry {
  return { transport: e.key[0] === TCP ? 'tcp' : 'udp', port: e.key[1], packets: e.packets, bytes: e.bytes };
}
