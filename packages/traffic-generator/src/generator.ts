import { lookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import { DnsFlow, type DnsMode } from './dns-flow.js';
import { FIRST_SCAN_DELAY_MS, TRAFFIC_DEFAULTS, optionProblems, type TrafficOptions } from './options.js';
import { scanPorts, type ScanResult } from './port-scan.js';
import { between, type Random } from './random.js';
import { TcpFlow } from './tcp-flow.js';
import { UdpFlow } from './udp-flow.js';

/** Packets one exchange puts on the wire, both directions (what --rate budgets). */
const COST = { udp: 1, dns: 2, tcp: 9 } as const;
type Kind = keyof typeof COST;
const TICK_MS = 50;
/** Scanned ports come from here: below Linux's ephemeral range, where the lab's own servers listen. */
const SCAN_RANGE = { first: 10_000, last: 19_999 };

export interface TrafficInfo {
  target: string;
  family: 4 | 6;
  udpPort: number;
  tcpPort: number;
  dnsPort: number;
  dns: DnsMode;
  /** One line when DNS answers or queries are off, saying why. */
  dnsNote: string | null;
}

export interface TrafficStats {
  udp: { datagrams: number; bytes: number };
  tcp: { connections: number; completed: number; failed: number; busy: number };
  dns: { queries: number; noerror: number; nxdomain: number };
  scans: { bursts: number; skipped: number; ports: number };
}

export interface GeneratorHooks {
  onScan?: (result: ScanResult) => void;
}

/** Thrown for options or a target that cannot work: a usage error, not a crash. */
export class TrafficError extends Error {
  override readonly name = 'TrafficError';
}

/**
 * Sends a mix of UDP datagrams, short TCP connections and DNS queries to servers it runs itself on
 * the target (an address of this machine), about `rate` packets a second, and a TCP port-scan burst
 * every `scanEverySeconds`. Bounded: one timer for the mix, one for the scans, at most 32 TCP
 * connections and 64 scan attempts open at once, a burst never overlapping the previous one.
 */
export class TrafficGenerator {
  readonly options: TrafficOptions;
  private readonly random: Random = Math.random;
  private readonly udp: UdpFlow;
  private readonly tcp: TcpFlow;
  private readonly dns: DnsFlow;
  private readonly scanSockets = new Set<Socket>();
  private target = '';
  private budget = 0;
  private lastTick = 0;
  private pending: Kind | undefined;
  private mixTimer: NodeJS.Timeout | undefined;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<unknown> | undefined;
  private stopped = false;
  private readonly scans = { bursts: 0, skipped: 0, ports: 0 };

  constructor(
    options: Partial<TrafficOptions> & { target: string },
    private readonly hooks: GeneratorHooks = {},
  ) {
    this.options = { ...TRAFFIC_DEFAULTS, ...options };
    const problems = optionProblems(this.options);
    if (problems.length > 0) throw new TrafficError(problems.join('; '));
    this.udp = new UdpFlow(this.random);
    this.tcp = new TcpFlow(this.random);
    this.dns = new DnsFlow(this.random, this.options.nxdomainShare);
  }

  /** Binds the servers on the target, then starts the mix and the scan schedule. */
  async start(): Promise<TrafficInfo> {
    const { address, family } = await resolveTarget(this.options.target);
    this.target = address;
    try {
      await this.udp.start(address, family);
      await this.tcp.start(address);
      await this.dns.start(address, family, this.options.dnsPort);
    } catch (error) {
      await this.closeFlows(); // what did bind must not outlive a failed start
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRNOTAVAIL')
        throw new TrafficError(
          `--target ${this.options.target}: not an address of this machine (the generator runs the servers it sends to)`,
        );
      throw error;
    }
    if (this.stopped) {
      // stop() came while the servers were binding: close what bound after it ran.
      await this.closeFlows();
      return this.info(family);
    }
    this.lastTick = performance.now();
    this.mixTimer = setInterval(() => this.tick(), TICK_MS);
    const every = this.options.scanEverySeconds * 1000;
    if (every > 0) {
      this.scanTimer = setTimeout(
        () => {
          this.scheduledScan();
          this.scanTimer = setInterval(() => this.scheduledScan(), every);
        },
        Math.min(FIRST_SCAN_DELAY_MS, every),
      );
    }
    return this.info(family);
  }

  private info(family: 4 | 6): TrafficInfo {
    return {
      target: this.target,
      family,
      udpPort: this.udp.port,
      tcpPort: this.tcp.port,
      dnsPort: this.dns.port,
      dns: this.dns.mode,
      dnsNote: this.dns.note,
    };
  }

  /** One port-scan burst now: `scanPorts` distinct ports of the target that nothing of ours listens on. */
  async scan(): Promise<ScanResult> {
    const n = this.options.scanPorts;
    const own = new Set([this.udp.port, this.tcp.port, this.dns.port]);
    const start = between(this.random, SCAN_RANGE.first, Math.max(SCAN_RANGE.first, SCAN_RANGE.last - n - own.size));
    const ports: number[] = [];
    for (let port = start; ports.length < n && port <= 65_535; port++) if (!own.has(port)) ports.push(port);
    const result = await scanPorts(this.target, ports, { sockets: this.scanSockets, stopped: () => this.stopped });
    this.scans.bursts++;
    this.scans.ports += result.ports;
    return result;
  }

  private scheduledScan(): void {
    if (this.scanning) {
      this.scans.skipped++;
      return;
    }
    this.scanning = this.scan()
      .then((result) => this.hooks.onScan?.(result))
      .finally(() => (this.scanning = undefined));
  }

  /** Spends the packet budget earned since the last tick on exchanges picked by the mix's weights. */
  private tick(): void {
    const now = performance.now();
    const cap = Math.max(this.options.rate * 0.25, 2 * COST.tcp);
    this.budget = Math.min(cap, this.budget + ((now - this.lastTick) / 1000) * this.options.rate);
    this.lastTick = now;
    for (;;) {
      const kind = (this.pending ??= this.pick());
      const cost = kind === 'dns' && this.dns.mode === 'unanswered' ? 1 : COST[kind];
      if (this.budget < cost) return;
      this.pending = undefined;
      if (kind === 'tcp' && !this.tcp.connect()) continue;
      if (kind === 'udp') this.udp.send();
      if (kind === 'dns') this.dns.query();
      this.budget -= cost;
    }
  }

  /** Half the exchanges are UDP datagrams, three in ten DNS queries, two in ten TCP connections. */
  private pick(): Kind {
    const r = this.random();
    if (r < 0.3) return this.dns.mode === 'off' ? 'udp' : 'dns';
    if (r < 0.5) return 'tcp';
    return 'udp';
  }

  stats(): TrafficStats {
    const { udp, tcp, dns } = this;
    return {
      udp: { datagrams: udp.datagrams, bytes: udp.bytes },
      tcp: { connections: tcp.connections, completed: tcp.completed, failed: tcp.failed, busy: tcp.busy },
      dns: { queries: dns.queries, noerror: dns.noerror, nxdomain: dns.nxdomain },
      scans: { ...this.scans },
    };
  }

  /** Stops the timers, cuts what is in flight and closes every socket and server. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.mixTimer);
    clearTimeout(this.scanTimer);
    clearInterval(this.scanTimer);
    for (const socket of this.scanSockets) socket.destroy();
    await this.scanning;
    await this.closeFlows();
  }

  private async closeFlows(): Promise<void> {
    await Promise.all([this.udp.stop(), this.tcp.stop(), this.dns.stop()]);
  }
}

async function resolveTarget(target: string): Promise<{ address: string; family: 4 | 6 }> {
  const family = isIP(target);
  if (family !== 0) return { address: target, family: family as 4 | 6 };
  try {
    const found = await lookup(target);
    return { address: found.address, family: found.family as 4 | 6 };
  } catch (error) {
    throw new TrafficError(`--target ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
