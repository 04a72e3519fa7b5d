import { readFileSync } from 'node:fs';

/** The interface counters libpcap reports as ps_ifdrop on Linux (pcap-linux.c, linux_if_drops). */
const COUNTERS = ['rx_missed_errors', 'rx_fifo_errors'];

/**
 * Frames the interface itself dropped since this counter was created (NIC ring overruns), from
 * /sys/class/net/DEV/statistics. These count all traffic on the interface, not only the frames the
 * capture filter would have kept. null for pseudo-devices (`any`) and where sysfs does not say.
 */
export class InterfaceDropCounter {
  private readonly base: number | null;

  constructor(private readonly device: string) {
    this.base = this.read();
  }

  dropped(): number | null {
    if (this.base === null) return null;
    const now = this.read();
    return now === null ? null : Math.max(0, now - this.base);
  }

  private read(): number | null {
    let total = 0;
    for (const name of COUNTERS) {
      try {
        total += Number(readFileSync(`/sys/class/net/${this.device}/statistics/${name}`, 'utf8'));
      } catch {
        return null;
      }
    }
    return total;
  }
}
