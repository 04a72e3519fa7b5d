/** A capture file that cannot be read at all: missing, unreadable, or not PCAP/PCAPNG. One-line message. */
export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';
}
