import { createRequire } from 'node:module';

/**
 * The parts of npm `cap` 0.2.1 used here (it ships no types). Facts about it that shape LiveCapture
 * (read in its src/binding.cc):
 * - open() keeps a raw pointer to the Buffer it is given and copies every frame into it: the Buffer
 *   must stay referenced from JavaScript while the handle lives, or the GC frees it under libpcap.
 * - libpcap is opened with a fixed 65,535-byte snapshot length, always promiscuous, and in immediate
 *   mode when libpcap.so offers it (it does wherever libpcap-dev is installed). Immediate mode makes
 *   libpcap use TPACKET_V2, whose ring has one slot per frame sized for the largest frame (64 KiB on
 *   `lo` and on NICs with receive offloads): a 64 MiB buffer holds about 1,000 frames.
 * - One 'packet' event per frame (copied length, truncated flag): no pcap header, so no capture
 *   timestamp and no original length; no pcap_stats.
 * - No Cap object may ever be garbage-collected: close() stops its libuv poll handle but never
 *   uv_close()s it, so freeing the object leaves the loop linked to freed memory (a segfault
 *   later); after a failed open() the destructor stops a poll handle never initialised (an abort).
 * - If the interface goes down or disappears while capturing, the binding asserts and the process
 *   aborts (uv_poll reports an error status that cap_packets asserts is 0).
 */
export interface CapHandle {
  /** Returns cap's link-type name: 'ETHERNET', 'NULL', 'RAW', 'LINKTYPE_LINUX_SLL', 'IEEE802_11_RADIO' or 'Unknown linktype N'. */
  open(device: string, filter: string, bufferBytes: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', listener: (copiedBytes: number, truncated: boolean) => void): unknown;
}

export interface CapDevice {
  name: string;
  description?: string;
  addresses: { addr?: string; netmask?: string; broadaddr?: string; dstaddr?: string }[];
  flags?: string;
}

interface CapModule {
  Cap: { new (): CapHandle; deviceList(): CapDevice[] };
}

let loaded: CapModule | undefined;

/** Loads the native binding on first use, so that file replay and PCAP writing never need it. */
export function capModule(): CapModule {
  loaded ??= createRequire(import.meta.url)('cap') as CapModule;
  return loaded;
}

/** Link types (LINKTYPE_* numbers, as written in PCAP files) of cap's link-type names. */
const LINK_TYPES: Record<string, number> = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINKTYPE_LINUX_SLL: 113,
  LINUX_SLL: 113,
  IEEE802_11_RADIO: 127,
};

/** DLT values that differ from their LINKTYPE numbers (pcap-common.c); the rest are equal. */
const DLT_TO_LINKTYPE: Record<number, number> = { 12: 101, 14: 101, 19: 106 };

/** The LINKTYPE number of cap's link-type name, or null if it names none. */
export function linkTypeOfCapName(name: string): number | null {
  if (name in LINK_TYPES) return LINK_TYPES[name]!;
  const unknown = /^Unknown linktype (\d+)$/.exec(name);
  if (!unknown) return null;
  const dlt = Number(unknown[1]);
  return DLT_TO_LINKTYPE[dlt] ?? dlt;
}
