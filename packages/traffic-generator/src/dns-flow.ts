import { createSocket, type Socket } from 'node:dgram';
import {
  encodeQuery,
  encodeResponse,
  parseQuery,
  QTYPE_A,
  QTYPE_AAAA,
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
  responseCode,
} from './dns-wire.js';
import { between, type Random } from './random.js';
import { bindUdp, closeUdp } from './sockets.js';

/** Names that exist in the lab's make-believe office (.test is reserved for testing, RFC 6761). */
const KNOWN_NAMES = ['www', 'mail', 'api', 'cdn', 'git', 'intranet', 'printer', 'vpn', 'wiki', 'chat'].map(
  (host) => `${host}.office.test`,
);
const KNOWN = new Map(KNOWN_NAMES.map((name, i) => [name, i]));
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** What the DNS part of the mix can do, once started. */
export type DnsMode = 'answered' | 'unanswered' | 'off';

/**
 * DNS queries over UDP to the target's DNS port, for existing names and (a share `nxdomainShare`)
 * for random, DGA-like ones; and, when the generator may bind that port, the server answering them:
 * NOERROR with an A or AAAA record (documentation addresses) for the names that exist, NXDOMAIN
 * for the others.
 */
export class DnsFlow {
  queries = 0;
  noerror = 0;
  nxdomain = 0;
  mode: DnsMode = 'off';
  /** Why answers (or queries) are off, in one line; null when they are on. */
  note: string | null = null;
  /** The DNS port: as asked, or the one the responder got when asked for 0 (tests). */
  port = 53;
  private target = '';
  private responder: Socket | undefined;
  private client: Socket | undefined;
  private nextId = 1;

  constructor(
    private readonly random: Random,
    private readonly nxdomainShare: number,
  ) {}

  async start(target: string, family: 4 | 6, port: number): Promise<void> {
    this.target = target;
    this.port = port;
    this.mode = await this.startResponder(family);
    if (this.mode === 'off') return;
    this.client = createSocket(`udp${family}`);
    this.client.on('error', () => {});
    this.client.on('message', (message) => {
      const rcode = responseCode(message);
      if (rcode === RCODE_NOERROR) this.noerror++;
      else if (rcode === RCODE_NXDOMAIN) this.nxdomain++;
    });
    await bindUdp(this.client, target, 0);
  }

  private async startResponder(family: 4 | 6): Promise<DnsMode> {
    const socket = createSocket(`udp${family}`);
    try {
      this.port = await bindUdp(socket, this.target, this.port);
    } catch (error) {
      await closeUdp(socket);
      const code = (error as NodeJS.ErrnoException).code;
      const where = `${this.target}:${this.port}`;
      if (code === 'EACCES') {
        this.note = `DNS answers off: binding ${where} needs root or CAP_NET_BIND_SERVICE; the queries are still sent, unanswered`;
        return 'unanswered';
      }
      if (code === 'EADDRINUSE') {
        this.note = `DNS queries off: another server answers on ${where}, and it is not ours to query`;
        return 'off';
      }
      throw error;
    }
    socket.on('error', () => {});
    socket.on('message', (message, from) => {
      const question = parseQuery(message);
      if (!question) return;
      const index = KNOWN.get(question.name);
      const reply =
        index === undefined
          ? encodeResponse(message, question, RCODE_NXDOMAIN, null)
          : encodeResponse(message, question, RCODE_NOERROR, addressOf(question.qtype, index));
      socket.send(reply, from.port, from.address);
    });
    this.responder = socket;
    return 'answered';
  }

  query(): void {
    if (!this.client) return;
    const name =
      this.random() < this.nxdomainShare
        ? randomName(this.random)
        : KNOWN_NAMES[between(this.random, 0, KNOWN_NAMES.length - 1)];
    const qtype = this.random() < 0.8 ? QTYPE_A : QTYPE_AAAA;
    this.nextId = (this.nextId + 1) & 0xffff;
    this.client.send(encodeQuery(this.nextId, name, qtype), this.port, this.target);
    this.queries++;
  }

  async stop(): Promise<void> {
    await Promise.all([closeUdp(this.client), closeUdp(this.responder)]);
    this.client = this.responder = undefined;
  }
}

function randomName(random: Random): string {
  let label = '';
  for (let i = between(random, 10, 16); i > 0; i--) label += LETTERS[between(random, 0, LETTERS.length - 1)];
  return `${label}.office.test`;
}

/** 192.0.2.x (TEST-NET-1) for A, 2001:db8::x for AAAA, x by name: the same name, the same address. */
function addressOf(qtype: number, index: number): Uint8Array | null {
  if (qtype === QTYPE_A) return Uint8Array.of(192, 0, 2, 10 + index);
  if (qtype === QTYPE_AAAA) return Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10 + index);
  return null;
}
