import { connect, createServer, type Server, type Socket } from 'node:net';
import { between, type Random } from './random.js';
import { closeTcp, destroyAll, listenTcp, track } from './sockets.js';

const DATA = Buffer.alloc(8192, 0x61);
/** A stuck exchange is cut after this long, so connections cannot pile up. */
const EXCHANGE_TIMEOUT_MS = 3_000;

/**
 * Short TCP connections to a listener of the generator's own: connect, send a request, read a
 * response, close (a request/response protocol such as HTTP/1.0). At most `maxConnections` at a time.
 */
export class TcpFlow {
  connections = 0;
  completed = 0;
  failed = 0;
  /** Connections not made because `maxConnections` were still open. */
  busy = 0;
  port = 0;
  private target = '';
  private server: Server | undefined;
  private readonly clients = new Set<Socket>();
  private readonly accepted = new Set<Socket>();

  constructor(
    private readonly random: Random,
    private readonly maxConnections = 32,
  ) {}

  async start(target: string): Promise<void> {
    this.target = target;
    this.server = createServer((socket) => {
      track(this.accepted, socket);
      socket.on('error', () => {});
      socket.setTimeout(EXCHANGE_TIMEOUT_MS, () => socket.destroy());
      socket.once('data', () => socket.end(DATA.subarray(0, between(this.random, 200, DATA.length))));
    });
    this.port = await listenTcp(this.server, target);
  }

  /** Opens one connection; false when too many are still open (nothing is sent then). */
  connect(): boolean {
    if (!this.server) return false;
    if (this.clients.size >= this.maxConnections) {
      this.busy++;
      return false;
    }
    this.connections++;
    const request = DATA.subarray(0, between(this.random, 40, 400));
    const socket = track(this.clients, connect({ host: this.target, port: this.port }));
    socket.setTimeout(EXCHANGE_TIMEOUT_MS, () => socket.destroy(new Error('timed out')));
    socket.on('connect', () => socket.write(request));
    socket.on('data', () => {});
    socket.on('end', () => {
      this.completed++;
      socket.end();
    });
    socket.on('error', () => this.failed++);
    return true;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await Promise.all([destroyAll(this.clients), closeTcp(server, this.accepted)]);
  }
}
