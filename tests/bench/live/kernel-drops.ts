// Kernel drop counting for the bench's bare cap loop (cap 0.2.1 has no pcap_stats): a helper process reads
// PACKET_STATISTICS from the capture socket. The sensor itself uses the patched cap's stats().
import { SocketHelper } from './socket-helper.js';

const FINAL_READ_TIMEOUT_MS = 2000;

/**
 * Counts what the kernel dropped for one capture socket (its ring was full), summing the counters
 * the socket helper reads every `intervalMs`: the kernel resets them on each read and they are
 * 32-bit, so they are read often and added up here. On `lo` every packet takes two ring slots (the
 * outgoing and the incoming copy; libpcap discards the first), so drops there count slots, as
 * tcpdump's "dropped by kernel" does.
 */
export class KernelDropCounter {
  /** Frames the kernel dropped since the capture opened. */
  dropped = 0;
  /** Frames the kernel offered to the socket (queued or dropped). */
  offered = 0;
  /** Why counting stopped, if it did. */
  failure: string | null = null;
  private readonly timer: NodeJS.Timeout;
  private outstanding = 0;

  constructor(
    private readonly helper: SocketHelper,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => {
      if (this.outstanding === 0) void this.read();
    }, intervalMs);
    this.timer.unref();
  }

  /** Asks for the counters now (the request is written synchronously) and adds them when they come. */
  read(): Promise<void> {
    if (this.failure !== null) return Promise.resolve();
    this.outstanding++;
    return this.helper
      .readStatistics()
      .then(({ packets, drops }) => {
        this.offered += packets;
        this.dropped += drops;
      })
      .catch((error: Error) => {
        this.failure ??= error.message;
      })
      .finally(() => {
        this.outstanding--;
      });
  }

  /**
   * Takes the last reading and stops the helper. The request goes out before this returns, so a
   * caller that closes the capture right after still gets the counters of the moment it stopped.
   */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    const last = this.read();
    let timeout: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timeout = setTimeout(() => {
        this.failure ??= 'the last kernel statistics read timed out';
        resolve();
      }, FINAL_READ_TIMEOUT_MS);
    });
    await Promise.race([last, late]);
    clearTimeout(timeout);
    this.helper.close();
  }
}
