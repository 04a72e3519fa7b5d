import { WirewatchError } from '@wirewatch/errors';

/** A capture file that cannot be read at all: missing, unreadable, or not PCAP/PCAPNG. One-line message. */
export class CaptureFormatError extends WirewatchError {
  override readonly name = 'CaptureFormatError';

  constructor(message: string, options?: ErrorOptions) {
    super('input', message, options);
  }
}
