export interface TrafficOptions {
  /** Address (or name) of this machine to send to; the generator runs the servers it talks to there. */
  target: string;
  /** Packets per second on the wire, both directions counted (an estimate per exchange; scans come on top). */
  rate: number;
  /** Seconds between port-scan bursts; 0: no scans. */
  scanEverySeconds: number;
  /** Distinct closed ports one burst tries. */
  scanPorts: number;
  /** Share of DNS queries for names that do not exist (answered NXDOMAIN). */
  nxdomainShare: number;
  /** UDP port of the DNS queries: 53, where the sensors' decoder recognizes DNS; tests use another. */
  dnsPort: number;
}

export const TRAFFIC_DEFAULTS = {
  rate: 100,
  scanEverySeconds: 60,
  scanPorts: 256,
  nxdomainShare: 0.4,
  dnsPort: 53,
} as const;

/** The first scan waits this long (or less when scans are more frequent): the sensors are up by then. */
export const FIRST_SCAN_DELAY_MS = 2_000;

/** Problems with the options, one line each; empty when they are usable. */
export function optionProblems(o: TrafficOptions): string[] {
  const problems: string[] = [];
  if (o.target.trim() === '') problems.push('--target: give an address of this machine, e.g. 127.0.0.1');
  if (!(Number.isFinite(o.rate) && o.rate > 0 && o.rate <= 100_000))
    problems.push('--rate: expected packets per second, more than 0 and at most 100000');
  if (!(Number.isFinite(o.scanEverySeconds) && o.scanEverySeconds >= 0))
    problems.push('--scan-every: expected seconds, 0 for no scans');
  if (!(Number.isInteger(o.scanPorts) && o.scanPorts >= 1 && o.scanPorts <= 5_000))
    problems.push('--scan-ports: expected a whole number from 1 to 5000');
  if (!(o.nxdomainShare >= 0 && o.nxdomainShare <= 1))
    problems.push('--nxdomain-share: expected a fraction from 0 to 1');
  return problems;
}
