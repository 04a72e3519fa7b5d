/**
 * One captured frame, described in place (no copy): valid only during the `onPacket` call that
 * receives it. Structurally compatible with `@wirewatch/packet`'s `RecordReader`, so
 * `decodeRecord(decoded, record)` decodes it.
 */
export interface CaptureRecord {
  data: Buffer;
  offset: number;
  caplen: number;
  /** Length of the frame on the wire (>= caplen). */
  origLen: number;
  /** Seconds since the Unix epoch (fractional). */
  timestamp: number;
  linkType: number;
}

export interface SourceStats {
  /** Frames handed to `onPacket`. */
  received: number;
  /** Frames the kernel dropped for this capture (buffer full), when the platform tells; else null. */
  kernelDropped: number | null;
  /** Frames the interface/driver dropped, when known; else null. */
  interfaceDropped: number | null;
}

/** A live interface or a capture file being replayed: the sensor treats both the same way. */
export interface PacketSource {
  /** Interface name, or the file's path for a replay. */
  readonly name: string;
  /**
   * Starts delivering frames to `onPacket` (one reused record object, never retained by the caller).
   * Resolves when the source ends by itself (end of file) or after `stop()`; rejects on a fatal
   * capture error (interface vanished, permission denied), with a one-line message.
   */
  run(onPacket: (record: CaptureRecord) => void): Promise<void>;
  stop(): void;
  stats(): SourceStats;
}
