import { connect, type Socket } from 'node:net';
import { track } from './sockets.js';

export interface ScanResult {
  /** The ports tried, lowest and highest. */
  firstPort: number;
  lastPort: number;
  ports: number;
  /** Answered with a RST: closed. */
  refused: number;
  open: number;
  /** No answer within the timeout (a firewall that drops). */
  timedOut: number;
  ms: number;
}

export interface ScanOptions {
  /** Connection attempts in flight at once. */
  concurrency?: number;
  timeoutMs?: number;
  /** Where the attempts in flight are kept, so that a stop can cut them. */
  sockets: Set<Socket>;
  stopped: () => boolean;
}

/**
 * A TCP connect scan: one connection attempt (a SYN without ACK) to each port, at most
 * `concurrency` at a time; an attempt that connects is closed at once.
 */
export async function scanPorts(target: string, ports: readonly number[], options: ScanOptions): Promise<ScanResult> {
  const { concurrency = 64, timeoutMs = 2_000, sockets, stopped } = options;
  const started = performance.now();
  const result: ScanResult = {
    firstPort: Math.min(...ports),
    lastPort: Math.max(...ports),
    ports: 0,
    refused: 0,
    open: 0,
    timedOut: 0,
    ms: 0,
  };
  let next = 0;
  const attempt = (port: number) =>
    new Promise<void>((resolve) => {
      const socket = track(sockets, connect({ host: target, port }));
      socket.setTimeout(timeoutMs, () => {
        result.timedOut++;
        socket.destroy();
      });
      socket.once('connect', () => {
        result.open++;
        socket.destroy();
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED') result.refused++;
      });
      socket.once('close', () => resolve());
    });
  const worker = async () => {
    while (next < ports.length && !stopped()) {
      const port = ports[next++];
      result.ports++;
      await attempt(port);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ports.length) }, worker));
  result.ms = Math.round(performance.now() - started);
  return result;
}
