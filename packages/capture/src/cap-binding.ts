import { createRequire } from 'node:module';

/**
 * npm `cap` 0.2.1 as patched by patches/cap@0.2.1.patch (pnpm `patchedDependencies`; the patch's
 * header in src/binding.cc says why). cap ships no types; these are the parts used here.
 * - open() with `{ batch: true }` runs libpcap without immediate mode (TPACKET_V3: frames packed in
 *   the kernel ring) and copies what is ready at each wakeup into the Buffer as records, then emits
 *   ONE 'batch' event for them (see BATCH_RECORD_HEADER_BYTES). The binding references the Buffer
 *   while open, and writes into it through a raw pointer: it must not be reused for anything else.
 * - stats() is pcap_stats: libpcap's 32-bit counters, summed since open (they wrap).
 * - 'error' is emitted (and polling stops) when the interface goes down or disappears, or a read
 *   fails; close() must still be called.
 * - A Cap opens once. After close() or a failed open() it may be garbage-collected.
 */
export interface CapHandle {
  /** Returns cap's link-type name: 'ETHERNET', 'NULL', 'RAW', 'LINKTYPE_LINUX_SLL', 'IEEE802_11_RADIO' or 'Unknown linktype N'. */
  open(device: string, filter: string, bufferBytes: number, buffer: Buffer, options?: CapOpenOptions): string;
  close(): boolean;
  /** Throws once closed. */
  stats(): CapStats;
  on(event: 'batch', listener: (bytesUsed: number, frames: number) => void): unknown;
  /** Without `batch`: one event per frame, copied into the Buffer (no timestamp, no original length). */
  on(event: 'packet', listener: (copiedBytes: number, truncated: boolean) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface CapOpenOptions {
  /** Deliver 'batch' events (see CapHandle). The Buffer must hold at least one record of `snaplen` bytes. */
  batch?: boolean;
  /** libpcap's snapshot length. Default 65,535. */
  snaplen?: number;
  /** Default true. */
  promisc?: boolean;
  /** libpcap's read timeout: in batch mode the longest a frame waits in a partly filled ring block. Default 1000. */
  timeoutMs?: number;
}

/** pcap_stats. On Linux `dropped` counts ring slots the kernel dropped (PACKET_STATISTICS). */
export interface CapStats {
  received: number;
  dropped: number;
  ifDropped: number;
}

/**
 * Each record of a batch: capture time (seconds, microseconds), copied length, original length,
 * all uint32 in host byte order; then the frame's bytes, padded to a multiple of 4.
 */
export const BATCH_RECORD_HEADER_BYTES = 16;

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
  if (name in LINK_TYPES) return LINK_TYPES[name];
  const unknown = /^Unknown linktype (\d+)$/.exec(name);
  if (!unknown) return null;
  const dlt = Number(unknown[1]);
  return DLT_TO_LINKTYPE[dlt] ?? dlt;
}
