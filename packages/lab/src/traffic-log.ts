import type { DnsMode } from '@wirewatch/traffic-generator';

/** What `wirewatch generate-traffic` logs once its servers are bound and the mix runs. */
export interface TrafficStartLine {
  target: string;
  udpPort: number;
  tcpPort: number;
  dnsPort: number;
  dns: DnsMode;
  dnsNote: string | null;
  rate: number;
  scanEverySeconds: number;
  scanPorts: number;
}

/** The generator's start line among its JSON log lines, or null while it has not started. */
export function trafficStarted(log: string): TrafficStartLine | null {
  for (const line of log.split('\n')) {
    if (!line.includes('"sending traffic"')) continue;
    try {
      return JSON.parse(line) as TrafficStartLine;
    } catch {
      // a line cut mid-write: read again at the next probe
    }
  }
  return null;
}
