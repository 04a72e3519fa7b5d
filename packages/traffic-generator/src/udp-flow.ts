import { createSocket, type Socket } from 'node:dgram';
import { between, type Random } from './random.js';
import { bindUdp, closeUdp } from './sockets.js';

const PAYLOAD = Buffer.alloc(1400, 0x2a);

/** Telemetry-like small datagrams mostly, some medium, a few near the Ethernet MTU. */
function datagramSize(random: Random): number {
  const r = random();
  if (r < 0.6) return between(random, 40, 200);
  if (r < 0.9) return between(random, 201, 600);
  return between(random, 1000, 1400);
}

/** UDP datagrams of varied sizes to a sink socket of the generator's own on the target. */
export class UdpFlow {
  datagrams = 0;
  bytes = 0;
  port = 0;
  private target = '';
  private sink: Socket | undefined;
  private sender: Socket | undefined;

  constructor(private readonly random: Random) {}

  async start(target: string, family: 4 | 6): Promise<void> {
    this.sink = createSocket(`udp${family}`);
    this.sink.on('message', () => {});
    this.port = await bindUdp(this.sink, target, 0);
    this.sender = createSocket(`udp${family}`);
    this.sender.on('error', () => {}); // a full socket buffer: the datagram is lost, as on a network
    this.target = target;
  }

  send(): void {
    if (!this.sender) return;
    const size = datagramSize(this.random);
    this.sender.send(PAYLOAD, 0, size, this.port, this.target);
    this.datagrams++;
    this.bytes += size;
  }

  async stop(): Promise<void> {
    await Promise.all([closeUdp(this.sender), closeUdp(this.sink)]);
    this.sender = this.sink = undefined;
  }
}
