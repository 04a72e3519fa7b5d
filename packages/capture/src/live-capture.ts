import { BATCH_RECORD_HEADER_BYTES, capModule, linkTypeOfCapName, type CapHandle } from './cap-binding.js';
import { listDevices } from './devices.js';
import { CaptureError, firstLine } from './errors.js';
import { InterfaceDropCounter } from './interface-drops.js';
import type { CaptureRecord, PacketSource, SourceStats } from './packet-source.js';
import { PcapDropCounter } from './pcap-drops.js';

export interface LiveCaptureOptions {
  device: string;
  /** BPF filter in pcap-filter syntax; empty or absent captures everything. */
  filter?: string;
  /** Bytes kept of each frame, at most MAX_SNAPLEN (libpcap's maximum; larger values give that). Default MAX_SNAPLEN. */
  snaplen?: number;
  /** Default true. */
  promiscuous?: boolean;
  /** Kernel ring buffer in MiB (MIN_KERNEL_BUFFER_MB..MAX_KERNEL_BUFFER_MB). Frames are packed in it (TPACKET_V3). Default DEFAULT_KERNEL_BUFFER_MB. */
  bufferSizeMb?: number;
  /** Longest a frame waits in the kernel before delivery when traffic is light (libpcap's read timeout), in ms. Default 100. */
  maxDelayMs?: number;
  /** How often the kernel's drop counter is read, in ms (it is 32-bit and wraps). Default 1000. */
  statsIntervalMs?: number;
}

export interface LiveCaptureStats extends SourceStats {
  /** Frames cut to the snapshot length (caplen < origLen). */
  truncated: number;
  /** Why kernelDropped is null, when it is. */
  kernelDropsUnavailable: string | null;
}

/** libpcap's MAXIMUM_SNAPLEN. */
export const MAX_SNAPLEN = 262144;
/** Frames handed over per JavaScript callback, in bytes of records; the buffer has room for one more frame. */
const BATCH_BYTES = 256 * 1024;
/** Ring size for the check that tells a bad filter from a device that cannot be opened. */
const PROBE_BUFFER_BYTES = 256 * 1024;
/** The kernel ring's bounds, in MiB: cap passes its size in bytes as a signed 32-bit integer. */
export const MIN_KERNEL_BUFFER_MB = 1;
export const MAX_KERNEL_BUFFER_MB = 2047;
export const DEFAULT_KERNEL_BUFFER_MB = 64;

/**
 * Live capture on one interface through npm `cap` (libpcap), patched to hand over frames in
 * batches (see cap-binding.ts): one callback per batch, whose frames are delivered one by one in
 * place, in the Buffer the binding copies them into, with libpcap's capture timestamp
 * (microseconds) and original length. Kernel drops come from pcap_stats.
 */
export class LiveCapture implements PacketSource {
  readonly name: string;
  private readonly device: string;
  private readonly filter: string;
  private readonly promiscuous: boolean;
  private readonly snaplen: number;
  private readonly bufferBytes: number;
  private readonly maxDelayMs: number;
  private readonly statsIntervalMs: number;
  /** The binding copies batches here through a raw pointer: this field keeps it alive for the object's whole life. */
  private readonly buffer: Buffer;
  private readonly record: CaptureRecord;
  private cap: CapHandle | null = null;
  private openLinkType: number | null = null;
  private started = false;
  private stopping = false;
  private received = 0;
  private truncatedFrames = 0;
  private drops: PcapDropCounter | null = null;
  private interfaceDrops: InterfaceDropCounter | null = null;
  private settle: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  private failure: unknown = null;

  constructor(options: LiveCaptureOptions) {
    this.device = options.device;
    this.name = options.device;
    this.filter = options.filter ?? '';
    this.promiscuous = options.promiscuous ?? true;
    const snaplen = options.snaplen ?? MAX_SNAPLEN;
    if (!Number.isInteger(snaplen) || snaplen < 1)
      throw new CaptureError(`capture on ${this.device}: snaplen must be a positive integer, not ${snaplen}`);
    this.snaplen = Math.min(snaplen, MAX_SNAPLEN);
    const mb = options.bufferSizeMb ?? DEFAULT_KERNEL_BUFFER_MB;
    if (!(Number.isFinite(mb) && mb >= MIN_KERNEL_BUFFER_MB && mb <= MAX_KERNEL_BUFFER_MB)) {
      throw new CaptureError(
        `capture on ${this.device}: the kernel buffer must be ${MIN_KERNEL_BUFFER_MB} to ${MAX_KERNEL_BUFFER_MB} MiB, not ${mb}`,
      );
    }
    this.bufferBytes = Math.round(mb * 1024 * 1024);
    const maxDelayMs = options.maxDelayMs ?? 100;
    if (!Number.isInteger(maxDelayMs) || maxDelayMs < 1)
      throw new CaptureError(`capture on ${this.device}: maxDelayMs must be a positive integer, not ${maxDelayMs}`);
    this.maxDelayMs = maxDelayMs;
    this.statsIntervalMs = options.statsIntervalMs ?? 1000;
    this.buffer = Buffer.alloc(BATCH_BYTES + BATCH_RECORD_HEADER_BYTES + this.snaplen + 3);
    this.record = { data: this.buffer, offset: 0, caplen: 0, origLen: 0, timestamp: 0, linkType: 0 };
  }

  /**
   * Opens the device and delivers frames until stop(). Rejects with one line (CaptureError) when the
   * device does not exist, permission is denied, the filter does not compile, or the interface goes
   * down or disappears while capturing; rejects with the callback's own error if onPacket throws
   * (the capture is stopped first).
   */
  async run(onPacket: (record: CaptureRecord) => void): Promise<void> {
    if (this.started) throw new CaptureError(`capture on ${this.device}: already started`);
    this.started = true;
    if (this.stopping) return;
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    done.catch(() => {}); // it may reject (onPacket threw) before run() gets to await it
    this.open(onPacket);
    return done;
  }

  /** Stops the capture; run() settles once the last kernel counters are in. Safe from inside onPacket. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    const cap = this.cap;
    if (cap === null) return; // not started (run() will return at once) or failed to open
    this.drops?.finish();
    cap.close();
    if (this.failure !== null) this.settle?.reject(this.failure);
    else this.settle?.resolve();
  }

  /** The capture's LINKTYPE number (as in PCAP files), known once run() has opened the device. */
  get linkType(): number | null {
    return this.openLinkType;
  }

  stats(): LiveCaptureStats {
    if (!this.stopping) this.drops?.read();
    const dropsUnavailable = this.drops === null ? 'the capture has not started' : this.drops.failure;
    return {
      received: this.received,
      kernelDropped: dropsUnavailable === null ? this.drops!.dropped : null,
      interfaceDropped: this.interfaceDrops?.dropped() ?? null,
      truncated: this.truncatedFrames,
      kernelDropsUnavailable: dropsUnavailable,
    };
  }

  private open(onPacket: (record: CaptureRecord) => void): void {
    if (!listDevices().some((d) => d.name === this.device))
      throw new CaptureError(`capture on ${this.device}: no such device`);
    const cap = new (capModule().Cap)();
    let linkName: string;
    try {
      linkName = cap.open(this.device, this.filter, this.bufferBytes, this.buffer, {
        batch: true,
        snaplen: this.snaplen,
        promisc: this.promiscuous,
        timeoutMs: this.maxDelayMs,
      });
    } catch (error) {
      throw new CaptureError(`capture on ${this.device}: ${this.describeOpenError(error)}`);
    }
    this.cap = cap;
    const linkType = linkTypeOfCapName(linkName);
    if (linkType === null) {
      this.stop();
      throw new CaptureError(`capture on ${this.device}: unsupported link type (${linkName})`);
    }
    this.openLinkType = linkType;
    this.record.linkType = linkType;
    this.drops = new PcapDropCounter(cap, this.statsIntervalMs);
    this.interfaceDrops = new InterfaceDropCounter(this.device);
    cap.on('batch', this.batchHandler(onPacket));
    cap.on('error', (error) => {
      const message = firstLine(error);
      this.failure ??= new CaptureError(
        `capture on ${this.device}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`,
      );
      this.stop();
    });
  }

  /** The per-frame path: walks the batch's records, fills the reused record and hands it over. */
  private batchHandler(onPacket: (record: CaptureRecord) => void): (bytesUsed: number, frames: number) => void {
    const record = this.record;
    // Record headers are 4-byte aligned uint32s in host order; Buffer.alloc gives an aligned buffer of its own.
    const words = new Uint32Array(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length >>> 2);
    return (_bytesUsed, frames) => {
      let at = 0;
      for (let i = 0; i < frames && !this.stopping; i++) {
        const w = at >>> 2;
        const caplen = words[w + 2];
        record.timestamp = words[w] + words[w + 1] / 1e6;
        record.caplen = caplen;
        record.origLen = words[w + 3]!;
        record.offset = at + BATCH_RECORD_HEADER_BYTES;
        at = (record.offset + caplen + 3) & ~3;
        this.received++;
        if (caplen < record.origLen) this.truncatedFrames++;
        try {
          onPacket(record);
        } catch (error) {
          this.failure = error;
          this.stop();
        }
      }
    };
  }

  /** A failed open with a filter: the filter is to blame if the device opens without it. */
  private describeOpenError(error: unknown): string {
    if (this.filter !== '' && opensWithoutFilter(this.device))
      return `bad filter "${this.filter}": ${firstLine(error)}`;
    return describeDeviceError(error);
  }
}

function opensWithoutFilter(device: string): boolean {
  const cap = new (capModule().Cap)();
  try {
    cap.open(device, '', PROBE_BUFFER_BYTES, Buffer.alloc(64), { promisc: false });
  } catch {
    return false;
  }
  cap.close();
  return true;
}

function describeDeviceError(error: unknown): string {
  const message = firstLine(error);
  if (/no such device/i.test(message)) return 'no such device';
  if (/operation not permitted|permission denied/i.test(message))
    return 'permission denied (live capture needs root or CAP_NET_RAW)';
  return message;
}
