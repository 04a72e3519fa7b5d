/**
 * One capture peer of the live-capture benchmark, run as its own Node process from an esbuild
 * bundle (see bundle.ts), as the sensor runs: `node peer.mjs KIND PORT BUFFER_MB` with an IPC
 * channel. It captures `udp dst port PORT` on lo, says {ready} once capturing (and counting
 * kernel drops), and on {drain} waits until no frame has arrived for QUIET_MS, stops, and answers
 * with its PeerResult.
 *   cap-loop:    npm cap and a listener that only counts (the floor of any JavaScript capture)
 *   sensor-path: LiveCapture → decodeRecord → SketchSummarizer.add, the sensor's per-packet work
 */
import { DecodedPacket, decodeRecord } from '@wirewatch/packet';
import { SketchSummarizer } from '@wirewatch/traffic';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { capModule, LiveCapture } from '@wirewatch/capture';
import { KernelDropCounter } from './kernel-drops.js';
import { packetSocketFds } from './packet-sockets.js';
import { SocketHelper } from './socket-helper.js';

export interface PeerResult {
  seen: number;
  kernelDropped: number | null;
  /** CPU time of the peer process from ready to drained, in seconds. */
  cpuSeconds: number;
  /** Longest event-loop stall seen while capturing, in ms. */
  maxEventLoopDelayMs: number;
}

const QUIET_MS = 300;
const [kind, portArg, bufferArg] = process.argv.slice(2);
const port = Number(portArg);
const bufferMb = Number(bufferArg);
const filter = `udp dst port ${port}`;

interface Peer {
  count(): number;
  kernelDropped(): number | null;
  stop(): Promise<void>;
}

/** cap with nothing but a counter. Its Buffer and handle stay referenced here: neither may be collected. */
const capBuffer = Buffer.alloc(65535);
const capHandles: unknown[] = [];
async function capLoop(): Promise<Peer> {
  const before = packetSocketFds();
  const cap = new (capModule().Cap)();
  capHandles.push(cap);
  cap.open('lo', filter, bufferMb * 1024 * 1024, capBuffer);
  let n = 0;
  cap.on('packet', () => {
    n++;
  });
  const fd = [...packetSocketFds()].find((f) => !before.has(f))!;
  const drops = new KernelDropCounter(await SocketHelper.start(fd), 1000);
  return {
    count: () => n,
    kernelDropped: () => drops.dropped,
    stop: async () => {
      const last = drops.finish();
      cap.close();
      await last;
    },
  };
}

async function sensorPath(): Promise<Peer> {
  const capture = new LiveCapture({ device: 'lo', filter, bufferSizeMb: bufferMb });
  const decoded = new DecodedPacket();
  const summarizer = new SketchSummarizer();
  let n = 0;
  const running = capture.run((record) => {
    decodeRecord(decoded, record);
    summarizer.add(decoded);
    n++;
  });
  running.catch((error: Error) => {
    console.error(error.message);
    process.exit(2);
  });
  const deadline = Date.now() + 5000;
  while (capture.stats().kernelDropped === null) {
    if (Date.now() > deadline) throw new Error(`no kernel drop counts: ${capture.stats().kernelDropsUnavailable}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    count: () => n,
    kernelDropped: () => capture.stats().kernelDropped,
    stop: async () => {
      capture.stop();
      await running;
      if (summarizer.counters.packets !== n) throw new Error('the summarizer lost packets');
    },
  };
}

async function main(): Promise<void> {
  const peer = kind === 'cap-loop' ? await capLoop() : kind === 'sensor-path' ? await sensorPath() : null;
  if (peer === null) throw new Error(`unknown peer ${kind}`);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const cpuStart = process.cpuUsage();
  process.send!({ ready: true });
  // Awaited here, not run in the listener, so that a failing stop() reaches main's catch below.
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  let last = -1;
  while (peer.count() !== last) {
    last = peer.count();
    await new Promise((r) => setTimeout(r, QUIET_MS));
  }
  const cpu = process.cpuUsage(cpuStart);
  delay.disable();
  await peer.stop();
  const result: PeerResult = {
    seen: peer.count(),
    kernelDropped: peer.kernelDropped(),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxEventLoopDelayMs: delay.max / 1e6,
  };
  process.send!(result, () => process.exit(0));
}

main().catch((error: Error) => {
  console.error(`peer ${kind}: ${error.message}`);
  process.exit(2);
});
