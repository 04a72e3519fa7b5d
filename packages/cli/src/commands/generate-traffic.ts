import { Command, InvalidArgumentError } from 'commander';
import { TRAFFIC_DEFAULTS } from '@wirewatch/traffic-generator';

export interface TrafficFlags {
  target: string;
  rate: number;
  duration?: number;
  scanEvery: number;
  scanPorts: number;
  nxdomainShare: number;
}

export function generateTrafficCommand(): Command {
  return new Command('generate-traffic')
    .description(
      'Send a realistic traffic mix to this machine (UDP, short TCP connections, DNS with NXDOMAIN answers, port-scan bursts) with plain sockets',
    )
    .requiredOption(
      '--target <host>',
      'an address of this machine to send to, e.g. 127.0.0.1 (the generator runs the servers it talks to there)',
    )
    .option(
      '--rate <packets>',
      'packets per second on the wire, both directions, scans not counted',
      positive,
      TRAFFIC_DEFAULTS.rate,
    )
    .option('--duration <seconds>', 'stop after this long (default: until SIGINT/SIGTERM)', positive)
    .option(
      '--scan-every <seconds>',
      'seconds between port-scan bursts; 0: no scans',
      nonNegative,
      TRAFFIC_DEFAULTS.scanEverySeconds,
    )
    .option(
      '--scan-ports <n>',
      'distinct closed ports per burst (the default port-scan rule fires above 100)',
      wholeNumber,
      TRAFFIC_DEFAULTS.scanPorts,
    )
    .option(
      '--nxdomain-share <fraction>',
      'share of DNS queries for names that do not exist',
      fraction,
      TRAFFIC_DEFAULTS.nxdomainShare,
    )
    .addHelpText(
      'after',
      '\nDNS goes to UDP port 53 of the target; answering it needs root or CAP_NET_BIND_SERVICE, else the queries go unanswered.\n' +
        'Logs JSON lines: the start (ports, DNS mode), each scan burst, and totals at the end. Exit codes: 0 ok, 2 bad options or target.',
    )
    .action(async (flags: TrafficFlags) => (await import('./run-traffic-generator.js')).runTraffic(flags));
}

function number(value: string, ok: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (value.trim() === '' || !ok(n)) throw new InvalidArgumentError(`expected ${expected}`);
  return n;
}

const positive = (v: string) => number(v, (n) => Number.isFinite(n) && n > 0, 'a number above 0');
const nonNegative = (v: string) => number(v, (n) => Number.isFinite(n) && n >= 0, 'a number, 0 or more');
const wholeNumber = (v: string) => number(v, (n) => Number.isInteger(n) && n >= 1, 'a whole number, 1 or more');
const fraction = (v: string) => number(v, (n) => n >= 0 && n <= 1, 'a fraction from 0 to 1');
