import { readFileSync } from 'node:fs';
import { capModule, linkTypeOfCapName, type CapHandle } from './cap-binding.js';
import { listDevices } from './devices.js';
import { CaptureError, firstLine } from './errors.js';
import { InterfaceDropCounter } from './interface-drops.js';
import { KernelDropCounter } from './kernel-drops.js';
import { packetSocketFds } from './packet-sockets.js';
import type { CaptureRecord, PacketSource, SourceStats } from './packet-source.js';
import { SocketHelper } from './socket-helper.js';

export interface LiveCaptureOptions {
  device: string;
  /** BPF filter in pcap-filter syntax; empty or absent captures everything. */
  filter?: string;
  /** Bytes kept of each frame. cap runs libpcap with a 65,535-byte snapshot, so larger values give 65,535. Default 262,144. */
  snaplen?: number;
  /** Default true. cap always enters promiscuous mode; false leaves it again right after opening (needs perl, see SocketHelper). */
  promiscuous?: boolean;
  /** Kernel ring buffer in MiB (1..2047). With cap each frame takes a 64 KiB slot on most interfaces: 64 MiB ≈ 1,000 frames. Default 64. */
  bufferSizeMb?: number;
  /** How often the kernel's drop counter is read, in ms. Default 1000. */
  statsIntervalMs?: number;
}

export interface LiveCaptureStats extends SourceStats {
  /** Frames that filled the copy limit (snaplen, at most 65,535 bytes): possibly cut, their origLen is then only what was copied. */
  truncated: number;
  /** Why kernelDropped is null, when it is. */
  kernelDropsUnavailable: string | null;
}

/** libpcap's snapshot length as cap sets it. */
const CAP_SNAPLEN = 65535;
/** Ring size for the probe that checks device, permission and filter before the real ring is made. */
const PROBE_BUFFER_BYTES = 256 * 1024;
const MAX_BUFFER_MB = 2047; // cap passes the size as a signed 32-bit integer

/**
 * Every cap handle ever created, kept for the life of the process: cap never uv_close()s its poll
 * handle, so a handle that is garbage-collected (after close(), or after a failed open()) frees
 * memory libuv still links to, and the process crashes later (seen here: a segfault a moment after
 * a closed probe was collected). Each costs a few hundred bytes.
 */
const everyHandle: CapHandle[] = [];

/**
 * The Buffer of each handle that may still write into it (open, or whose open failed midway): cap
 * copies frames into it through a raw pointer, so it stays referenced from here even if the
 * LiveCapture object is dropped.
 */
const handleBuffers = new Map<CapHandle, Buffer>();

function newHandle(buffer: Buffer): CapHandle {
  const { Cap } = capModule();
  const cap = new Cap();
  everyHandle.push(cap);
  handleBuffers.set(cap, buffer);
  return cap;
}

function closeHandle(cap: CapHandle): void {
  cap.close();
  handleBuffers.delete(cap);
}

/**
 * Live capture on one interface through npm `cap` (libpcap). Frames are handed over in place, in the
 * Buffer cap copies them into; the timestamp is the wall clock when JavaScript receives the frame
 * (cap gives no capture timestamp), with millisecond resolution, and origLen is the copied length
 * (cap gives no original length; frames that may have been cut are counted in `truncated`).
 * Kernel drops come from PACKET_STATISTICS through a small perl helper (see SocketHelper); without
 * it `kernelDropped` is null and `kernelDropsUnavailable` says why.
 */
export class LiveCapture implements PacketSource {
  readonly name: string;
  private readonly device: string;
  private readonly filter: string;
  private readonly promiscuous: boolean;
  private readonly bufferBytes: number;
  private readonly statsIntervalMs: number;
  /** cap writes every frame here through a raw pointer: this field keeps it alive for the object's whole life. */
  private readonly buffer: Buffer;
  private readonly record: CaptureRecord;
  private cap: CapHandle | null = null;
  private openLinkType: number | null = null;
  private started = false;
  private stopping = false;
  private received = 0;
  private truncatedFrames = 0;
  private kernel: KernelDropCounter | null = null;
  private kernelUnavailable: string | null = 'the capture has not started';
  private interfaceDrops: InterfaceDropCounter | null = null;
  private settle: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  private failure: unknown = null;

  constructor(options: LiveCaptureOptions) {
    this.device = options.device;
    this.name = options.device;
    this.filter = options.filter ?? '';
    this.promiscuous = options.promiscuous ?? true;
    const snaplen = options.snaplen ?? 262144;
    if (!Number.isInteger(snaplen) || snaplen < 1) throw new CaptureError(`capture on ${this.device}: snaplen must be a positive integer, not ${snaplen}`);
    const mb = options.bufferSizeMb ?? 64;
    if (!(Number.isFinite(mb) && mb >= 1 && mb <= MAX_BUFFER_MB)) {
      throw new CaptureError(`capture on ${this.device}: the kernel buffer must be 1 to ${MAX_BUFFER_MB} MiB, not ${mb}`);
    }
    this.bufferBytes = Math.round(mb * 1024 * 1024);
    this.statsIntervalMs = options.statsIntervalMs ?? 1000;
    this.buffer = Buffer.alloc(Math.min(snaplen, CAP_SNAPLEN));
    this.record = { data: this.buffer, offset: 0, caplen: 0, origLen: 0, timestamp: 0, linkType: 0 };
  }

  /**
   * Opens the device and delivers frames until stop(). Rejects with one line (CaptureError) when the
   * device does not exist, permission is denied or the filter does not compile; rejects with the
   * callback's own error if onPacket throws (the capture is stopped first).
   */
  async run(onPacket: (record: CaptureRecord) => void): Promise<void> {
    if (this.started) throw new CaptureError(`capture on ${this.device}: already started`);
    this.started = true;
    if (this.stopping) return;
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    done.catch(() => {}); // it may reject (onPacket threw) before run() gets to await it
    const socketsBefore = packetSocketFds();
    this.open(onPacket);
    this.kernelUnavailable = 'the socket helper is starting';
    this.interfaceDrops = new InterfaceDropCounter(this.device);
    const [fd, ...others] = [...packetSocketFds()].filter((f) => !socketsBefore.has(f));
    await this.startHelper(fd !== undefined && others.length === 0 ? fd : null);
    return done;
  }

  /** Stops the capture; run() resolves once the last kernel counters are in. Safe from inside onPacket. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    const cap = this.cap;
    if (cap === null) return; // not started (run() will return at once) or failed to open
    const lastReading = this.kernel?.finish() ?? Promise.resolve(); // asks before the socket closes
    closeHandle(cap);
    void lastReading.then(() => {
      if (this.failure !== null) this.settle?.reject(this.failure);
      else this.settle?.resolve();
    });
  }

  /** The capture's LINKTYPE number (as in PCAP files), known once run() has opened the device. */
  get linkType(): number | null {
    return this.openLinkType;
  }

  stats(): LiveCaptureStats {
    const kernelFailure = this.kernel?.failure ?? this.kernelUnavailable;
    return {
      received: this.received,
      kernelDropped: this.kernel !== null && kernelFailure === null ? this.kernel.dropped : null,
      interfaceDropped: this.interfaceDrops?.dropped() ?? null,
      truncated: this.truncatedFrames,
      kernelDropsUnavailable: kernelFailure,
    };
  }

  private open(onPacket: (record: CaptureRecord) => void): void {
    if (!listDevices().some((d) => d.name === this.device)) throw new CaptureError(`capture on ${this.device}: no such device`);
    if (this.filter !== '') this.probe();
    const cap = newHandle(this.buffer);
    let linkName: string;
    try {
      linkName = cap.open(this.device, this.filter, this.bufferBytes, this.buffer);
    } catch (error) {
      throw new CaptureError(`capture on ${this.device}: ${describeDeviceError(error)}`);
    }
    this.cap = cap;
    const linkType = linkTypeOfCapName(linkName);
    if (linkType === null) {
      this.stop();
      throw new CaptureError(`capture on ${this.device}: unsupported link type (${linkName})`);
    }
    this.openLinkType = linkType;
    this.record.linkType = linkType;
    cap.on('packet', this.handler(onPacket));
  }

  /** The per-frame path: fills the reused record and hands it over. */
  private handler(onPacket: (record: CaptureRecord) => void): (copied: number, truncated: boolean) => void {
    const record = this.record;
    const limit = this.buffer.length;
    return (copied, truncated) => {
      if (this.stopping) return;
      record.caplen = copied;
      record.origLen = copied;
      record.timestamp = Date.now() / 1000;
      this.received++;
      if (truncated || copied >= limit) this.truncatedFrames++;
      try {
        onPacket(record);
      } catch (error) {
        this.failure = error;
        this.stop();
      }
    };
  }

  /**
   * Opens the device with the filter on a small ring first, so that a bad filter costs nothing
   * lasting: a handle whose open() failed after activation can never be closed (close() would stop
   * a poll handle never started), so its ring and socket stay for the life of the process.
   */
  private probe(): void {
    const attempt = (filter: string): unknown => {
      const buffer = Buffer.alloc(64);
      const cap = newHandle(buffer);
      try {
        cap.open(this.device, filter, PROBE_BUFFER_BYTES, buffer);
      } catch (error) {
        return error;
      }
      closeHandle(cap);
      return null;
    };
    const error = attempt(this.filter);
    if (error === null) return;
    if (attempt('') === null) throw new CaptureError(`capture on ${this.device}: bad filter "${this.filter}": ${firstLine(error)}`);
    throw new CaptureError(`capture on ${this.device}: ${describeDeviceError(error)}`);
  }

  /** Starts the socket helper for drop counting (and to leave promiscuous mode if asked). */
  private async startHelper(fd: number | null): Promise<void> {
    let helper: SocketHelper | null = null;
    let unavailable: string | null = null;
    if (fd === null) unavailable = 'cannot tell which socket is the capture';
    else {
      try {
        helper = await SocketHelper.start(fd);
      } catch (error) {
        unavailable = firstLine(error);
      }
    }
    if (this.stopping) {
      helper?.close();
      return;
    }
    if (!this.promiscuous) await this.leavePromiscuous(helper, unavailable);
    this.kernelUnavailable = unavailable;
    if (helper !== null) this.kernel = new KernelDropCounter(helper, this.statsIntervalMs);
  }

  private async leavePromiscuous(helper: SocketHelper | null, unavailable: string | null): Promise<void> {
    const ifindex = interfaceIndex(this.device);
    if (ifindex === null) return; // pseudo-devices such as `any` are never made promiscuous
    try {
      if (helper === null) throw new Error(unavailable ?? 'no socket helper');
      await helper.leavePromiscuous(ifindex);
    } catch (error) {
      helper?.close();
      this.stop();
      throw new CaptureError(`capture on ${this.device}: cannot turn promiscuous mode off: ${firstLine(error)}`);
    }
  }
}

function describeDeviceError(error: unknown): string {
  const message = firstLine(error);
  if (/no such device/i.test(message)) return 'no such device';
  if (/operation not permitted|permission denied/i.test(message)) return 'permission denied (live capture needs root or CAP_NET_RAW)';
  return message;
}

function interfaceIndex(device: string): number | null {
  try {
    return Number(readFileSync(`/sys/class/net/${device}/ifindex`, 'utf8'));
  } catch {
    return null;
  }
}
