/**
 * `pnpm exec tsx tests/bench/alert-latency.bench.ts [--rounds 15]` (as root: live capture on lo)
 *
 * Latency from the packet that crosses a threshold to the webhook request: a sensor captures on lo
 * (1 s intervals), the alerter evaluates `packets_per_second above 200` per sensor interface, and a
 * local webhook receiver timestamps each request. Each round sends a burst of 2,000 UDP datagrams
 * (crossing the threshold with its first packets in that interval), waits for the firing webhook, then
 * stays quiet until the resolved one. Prints p50/p99/max of (webhook received - first burst packet
 * sent). The peer, in the same run: the interval itself (a packet waits on average half an interval
 * before its summary closes), which bounds what any per-interval design can reach.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCli } from '../../scripts/build-cli.mjs';
import { startWebhookReceiver } from '../alerts/receivers.js';
import { freePort, startNats, waitFor } from '../harness/index.js';
import { startService } from '../pipeline/service-process.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const rounds = Number(values.rounds);
const bundle = await buildCli();
const nats = await startNats();
const dir = mkdtempSync(join(tmpdir(), 'wirewatch-latency-'));
const hook = await startWebhookReceiver('latency-secret');
const arrivals: Array<{ state: string; at: number }> = [];
const original = hook.received.push.bind(hook.received);
hook.received.push = (...items) => {
  for (const item of items) arrivals.push({ state: item.body.state, at: performance.timeOrigin + performance.now() });
  return original(...items);
};
writeFileSync(join(dir, 'secret'), 'latency-secret');
writeFileSync(
  join(dir, 'rules.yaml'),
  `rules:\n  - name: burst\n    kind: threshold\n    severity: warning\n    group_by: [sensor, interface]\n    metric: packets_per_second\n    aggregate: max\n    window: 1s\n    above: 200\n    receivers: [hook]\n`,
);
writeFileSync(
  join(dir, 'alerter.yaml'),
  `rules: ${join(dir, 'rules.yaml')}\nreceivers:\n  - name: hook\n    webhook: { url: "${hook.url}", secretFile: "${join(dir, 'secret')}" }\n`,
);
const port = await freePort();
const common = ['--nats', nats.url, '--http-port', '0', '--http-host', '127.0.0.1'];
const alerter = startService(bundle, ['alerter', '-c', join(dir, 'alerter.yaml'), ...common]);
await waitFor(async () => (await alerter.metric('wirewatch_alerter_active')) === 1, {
  what: 'alerter active',
  timeoutMs: 30_000,
});
const sensor = startService(bundle, [
  'sensor',
  ...common,
  '--id',
  'latency',
  '--interface',
  'lo',
  '--filter',
  `udp and dst port ${port}`,
  '--interval',
  '1',
  '--spool-dir',
  join(dir, 'spool'),
]);
await sensor.ready();

const socket = createSocket('udp4');
const send = () =>
  new Promise<void>((resolve, reject) =>
    socket.send(Buffer.alloc(20), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
  );
const latencies: number[] = [];
for (let round = 0; round < rounds; round++) {
  const firedBefore = arrivals.filter((a) => a.state === 'firing').length;
  const resolvedBefore = arrivals.filter((a) => a.state === 'resolved').length;
  const t0 = performance.timeOrigin + performance.now();
  for (let i = 0; i < 2000; i++) await send();
  await waitFor(() => arrivals.filter((a) => a.state === 'firing').length > firedBefore, {
    what: `round ${round}: firing`,
    timeoutMs: 10_000,
  });
  latencies.push(arrivals.filter((a) => a.state === 'firing').at(-1)!.at - t0);
  await waitFor(() => arrivals.filter((a) => a.state === 'resolved').length > resolvedBefore, {
    what: `round ${round}: resolved`,
    timeoutMs: 10_000,
  });
  console.error(`round ${round + 1}: ${latencies.at(-1)!.toFixed(0)} ms`);
}
socket.close();
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
console.log('| rounds | p50 | p99 | max | interval (peer: mean wait for a summary to close 500 ms) |');
console.log('|---|---|---|---|---|');
console.log(
  `| ${rounds} | ${pct(50).toFixed(0)} ms | ${pct(99).toFixed(0)} ms | ${latencies.at(-1)!.toFixed(0)} ms | 1 s |`,
);
await Promise.allSettled([sensor.stop(), alerter.stop()]);
await Promise.allSettled([nats.dispose(), hook.close()]);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
