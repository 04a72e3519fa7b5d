/**
 * tcpdump as the reference peer: `tcpdump -i lo -w /dev/null -B 65536 udp dst port P`. Its counts come
 * from the lines it prints on SIGUSR1 and at exit ("N packets captured ... N packets dropped by kernel").
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface TcpdumpCounts {
  captured: number;
  droppedByKernel: number;
}

export class TcpdumpPeer {
  private readonly child: ChildProcess;
  private stderr = '';

  private constructor(port: number, bufferMb: number) {
    this.child = spawn(
      'tcpdump',
      ['-i', 'lo', '-w', '/dev/null', '-B', String(bufferMb * 1024), 'udp', 'dst', 'port', String(port)],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  /** Starts tcpdump and resolves once it is listening. */
  static async start(port: number, bufferMb: number): Promise<TcpdumpPeer> {
    const peer = new TcpdumpPeer(port, bufferMb);
    await peer.waitFor(() => /listening on lo/.test(peer.stderr), 'tcpdump to start');
    return peer;
  }

  /** Waits until tcpdump's captured count stops moving (asking every `quietMs`), then stops it. */
  async drainAndStop(quietMs: number): Promise<TcpdumpCounts> {
    let last = -1;
    for (;;) {
      const from = this.stderr.length;
      this.child.kill('SIGUSR1');
      const answered = (): boolean => this.stderr.endsWith('\n') && /dropped by kernel/.test(this.stderr.slice(from));
      await this.waitFor(answered, 'tcpdump statistics');
      const now = this.counts(this.stderr.slice(from));
      if (now.captured === last) break;
      last = now.captured;
      await new Promise((r) => setTimeout(r, quietMs));
    }
    const exited = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    const from = this.stderr.length;
    this.child.kill('SIGINT');
    await exited;
    return this.counts(this.stderr.slice(from));
  }

  private counts(text: string): TcpdumpCounts {
    const captured = /(\d+) packets? captured/.exec(text);
    const dropped = /(\d+) packets? dropped by kernel/.exec(text);
    if (!captured || !dropped) throw new Error(`cannot read tcpdump's counts from:\n${text}`);
    return { captured: Number(captured[1]), droppedByKernel: Number(dropped[1]) };
  }

  private async waitFor(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (this.child.exitCode !== null) throw new Error(`tcpdump exited: ${this.stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
