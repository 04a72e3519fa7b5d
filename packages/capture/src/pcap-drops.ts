import type { CapHandle } from './cap-binding.js';
import { firstLine } from './errors.js';

/**
 * Frames the kernel dropped for one capture (its ring was full), from pcap_stats. libpcap's counter
 * is 32-bit and wraps, so it is read every `intervalMs` and the differences are summed here. On `lo`
 * every packet takes two ring slots (the outgoing and the incoming copy; libpcap discards the first),
 * so drops there count slots, as tcpdump's "dropped by kernel" does.
 */
export class PcapDropCounter {
  dropped = 0;
  /** Why counting stopped, if it did. */
  failure: string | null = null;
  private last = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly cap: CapHandle,
    intervalMs: number,
  ) {
    this.read();
    this.timer = setInterval(() => this.read(), intervalMs);
    this.timer.unref();
  }

  read(): void {
    if (this.failure !== null) return;
    try {
      const now = this.cap.stats().dropped;
      this.dropped += (now - this.last) >>> 0;
      this.last = now;
    } catch (error) {
      this.failure = firstLine(error);
    }
  }

  /** Takes the last reading; call it before the capture closes. */
  finish(): void {
    this.read();
    clearInterval(this.timer);
  }
}
