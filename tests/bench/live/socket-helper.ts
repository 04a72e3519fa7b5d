import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The helper's program. It receives the capture socket as its fd 3, closes every other inherited
 * descriptor (other captures' sockets: holding them would keep those alive after they close), then
 * answers one line per request:
 *   stats            -> "stats PACKETS DROPS": getsockopt(SOL_PACKET, PACKET_STATISTICS), libpcap's
 *                       pcap_stats source; the kernel resets both counters on every read
 *   nopromisc IFINDEX -> "ok": setsockopt(SOL_PACKET, PACKET_DROP_MEMBERSHIP, PACKET_MR_PROMISC)
 * It exits when its stdin closes, so it never outlives this process.
 */
const PROGRAM = String.raw`
use strict;
use POSIX ();
opendir(my $dir, "/proc/self/fd") or die "cannot list /proc/self/fd: $!\n";
my @inherited = grep { /^\d+$/ && $_ > 3 } readdir($dir);
closedir($dir);
POSIX::close($_) for @inherited;
open(my $sock, "+<&=", 3) or die "cannot use the capture socket: $!\n";
$| = 1;
print "ready\n";
while (my $line = <STDIN>) {
  if ($line =~ /^stats/) {
    my $v = getsockopt($sock, 263, 6);
    print defined $v ? "stats " . join(" ", unpack("L2", $v)) . "\n" : "error getsockopt(PACKET_STATISTICS): $!\n";
  } elsif ($line =~ /^nopromisc (\d+)/) {
    my $ok = setsockopt($sock, 263, 2, pack("i S S a8", $1, 1, 0, ""));
    print $ok ? "ok\n" : "error setsockopt(PACKET_DROP_MEMBERSHIP): $!\n";
  } else {
    print "error unknown request\n";
  }
}
`;

const START_TIMEOUT_MS = 5000;

/**
 * A perl process holding a duplicate of one AF_PACKET socket, to make the two socket calls Node
 * cannot make and cap does not expose. perl-base is Essential in Debian (present in every Debian
 * and Debian-based image); where perl is missing, start() rejects and the caller goes without.
 */
export class SocketHelper {
  private readonly pending: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  private exited: Error | null = null;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.pending.shift()?.resolve(line));
    child.on('exit', (code, signal) => {
      this.exited = new Error(`socket helper exited (${signal ?? `code ${code}`})`);
      for (const p of this.pending.splice(0)) p.reject(this.exited);
    });
  }

  /** Starts the helper on the socket at `fd` of this process; rejects with one line if it cannot. */
  static start(fd: number): Promise<SocketHelper> {
    return new Promise((resolve, reject) => {
      const child = spawn('perl', ['-e', PROGRAM], { stdio: ['pipe', 'pipe', 'pipe', fd] });
      child.stdin!.on('error', () => {}); // EPIPE once the helper is gone: its exit is what reports it
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      let settled = false;
      const settle = (error: Error | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === null) return resolve(helper);
        child.kill();
        reject(error);
      };
      const timer = setTimeout(() => settle(new Error('socket helper did not start')), START_TIMEOUT_MS);
      child.on('error', (error: NodeJS.ErrnoException) =>
        settle(new Error(error.code === 'ENOENT' ? 'perl is not installed' : error.message)),
      );
      child.on('exit', (code) =>
        settle(new Error(stderr.trim().split('\n')[0] || `socket helper exited with code ${code}`)),
      );
      const helper = new SocketHelper(child);
      helper.pending.push({
        resolve: (line) => settle(line === 'ready' ? null : new Error(`socket helper said: ${line}`)),
        reject: (error) => settle(error),
      });
    });
  }

  /** Kernel counters since the previous call (the kernel resets them on every read). */
  async readStatistics(): Promise<{ packets: number; drops: number }> {
    const reply = await this.request('stats');
    const m = /^stats (\d+) (\d+)$/.exec(reply);
    if (!m) throw new Error(reply.replace(/^error /, ''));
    // PACKET_STATISTICS reports tp_packets with the drops already added in.
    return { packets: Number(m[1]), drops: Number(m[2]) };
  }

  /** Takes the socket out of promiscuous mode on interface `ifindex`. */
  async leavePromiscuous(ifindex: number): Promise<void> {
    const reply = await this.request(`nopromisc ${ifindex}`);
    if (reply !== 'ok') throw new Error(reply.replace(/^error /, ''));
  }

  close(): void {
    if (this.exited === null) this.child.kill();
  }

  private request(line: string): Promise<string> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin!.write(`${line}\n`);
    });
  }
}
