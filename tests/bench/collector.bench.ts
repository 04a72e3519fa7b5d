/**
 * `pnpm exec tsx tests/bench/collector.bench.ts [--sensors 1000,2500,5000] [--collectors 1,2] [--seconds 10] [--sink influxd|victoria]`
 *
 * Collector throughput: a load generator plays N sensors publishing one summary a second each (about
 * 50 InfluxDB points per summary) into NATS JetStream; 1 or 2 collector processes consume them into
 * influxd. Printed per run: offered summaries/s, what the collectors sustained, the backlog (as
 * seconds of traffic) while loading, and how long they took to catch up after the last publish.
 * Peer, in the same run: the same lines written straight to influxd by one writer (InfluxDB's own
 * ceiling on this machine, no NATS, no decoding), as points/s. `--sink victoria` writes to
 * VictoriaMetrics through the v2 API instead: it ingests far faster than influxd 1.6, so the figures
 * show the collector's own limit rather than the database's.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { parseArgs } from 'node:util';
import { buildCli } from '../../scripts/build-cli.mjs';
import { createInfluxWriter, summaryLines } from '@wirewatch/influx';
import { SummarySketches, summaryViewOf } from '@wirewatch/protocol';
import { startInfluxV1, startNats, startVictoriaMetrics } from '../harness/index.js';
import { startService, type ServiceProcess } from '../pipeline/service-process.js';
import { consumerBacklog, playSensors, templateSummary } from './collector/load.js';

const { values } = parseArgs({
  options: {
    sensors: { type: 'string', default: '1000,2500,5000' },
    collectors: { type: 'string', default: '1,2' },
    seconds: { type: 'string', default: '10' },
    sink: { type: 'string', default: 'influxd' },
  },
});
const levels = values.sensors.split(',').map(Number);
const collectorCounts = values.collectors.split(',').map(Number);
const seconds = Number(values.seconds);

const bundle = await buildCli();
const nats = await startNats();
const influx = await startInfluxV1();
await influx.createDatabase('bench');
const victoria = values.sink === 'victoria' ? await startVictoriaMetrics() : undefined;
const sinkArgs = victoria
  ? ['--influx-url', victoria.url, '--influx-api', 'v2', '--influx-bucket', 'bench']
  : ['--influx-url', influx.url, '--influx-api', 'v1', '--influx-db', 'bench'];

const template = templateSummary();
const view = summaryViewOf(template, SummarySketches.fromMessage(template).topLists(10));
const lines = summaryLines(template, view);
console.error(`one summary: ${JSON.stringify(template).length} bytes of JSON, ${lines.length} points`);

// Peer: InfluxDB's own ingest ceiling for these lines (batches of 500 summaries, one writer).
async function influxCeiling(): Promise<number> {
  const writer = victoria
    ? createInfluxWriter({ url: victoria.url, api: 'v2', bucket: 'bench', precision: 'ns' })
    : createInfluxWriter({ url: influx.url, api: 'v1', database: 'bench', precision: 'ns' });
  const batch: string[] = [];
  for (let i = 0; i < 500; i++)
    for (const l of summaryLines({ ...template, sensor: `peer-${i}`, start: 1000 }, view)) batch.push(l);
  const t = performance.now();
  let points = 0;
  for (let round = 0; round < 20; round++) {
    // Timestamps are ns: the interval start's ms, then the run's six sub-ms digits.
    const shifted = batch.map((l) => l.replace(/ 1000(\d{6})$/, ` ${1000 + round * 1000}$1`));
    await writer.write(shifted);
    points += shifted.length;
  }
  await writer.close();
  return points / ((performance.now() - t) / 1000);
}

const rows: string[] = [];
const ceiling = await influxCeiling();
console.error(`sink alone: ${Math.round(ceiling)} points/s`);

/** One measured run: `sensors` sensors for `runSeconds` through `collectors` collector processes. */
async function run(sensors: number, collectors: number, runSeconds: number, tag: string): Promise<string> {
  const group = `${tag}${sensors}x${collectors}`;
  const procs: ServiceProcess[] = [];
  for (let i = 0; i < collectors; i++) {
    procs.push(
      startService(
        bundle,
        ['collector', '--nats', nats.url, ...sinkArgs, '--http-port', '0', '--http-host', '127.0.0.1', '--no-fleet'],
        {
          WIREWATCH_CONSUMER_SUMMARIES: `${group}-s`,
          WIREWATCH_CONSUMER_HEARTBEATS: `${group}-h`,
        },
      ),
    );
  }
  await Promise.all(procs.map((p) => p.url()));
  const nc = await connect({ servers: nats.url });
  const backlog: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      backlog.push(await consumerBacklog(nc, `${group}-s`).catch(() => NaN));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const t0 = Date.now();
  // The same sensor names in every run: series exist after the warm-up, as in a fleet that has been running.
  const load = await playSensors(nats.url, sensors, runSeconds, 'sensor');
  const loadEnd = Date.now();
  let remaining = await consumerBacklog(nc, `${group}-s`);
  while (remaining > 0 && Date.now() - loadEnd < 120_000) {
    await new Promise((r) => setTimeout(r, 100));
    remaining = await consumerBacklog(nc, `${group}-s`);
  }
  const catchUp = (Date.now() - loadEnd) / 1000;
  sampling = false;
  await sampler;
  await nc.close();
  const total = sensors * runSeconds;
  const sustained = total / ((Date.now() - t0) / 1000);
  const samples = backlog.filter(Number.isFinite);
  if (samples.length === 0) throw new Error(`no backlog sample could be read for ${group}`);
  const maxBacklogSeconds = Math.max(...samples) / sensors;
  console.error(
    `${group}: ${samples.length} backlog samples, median ${samples.sort((a, b) => a - b)[samples.length >> 1]} messages, max ${Math.max(...samples)}`,
  );
  await Promise.all(procs.map((p) => p.stop()));
  // The next run's consumers start from an empty stream, not from this run's messages.
  const admin = await connect({ servers: nats.url });
  await (await jetstreamManager(admin)).streams.purge('WIREWATCH');
  await admin.close();
  return `| ${sensors} | ${collectors} | ${Math.round(load.offeredPerSecond)} | ${Math.round(sustained)} | ${Math.round(sustained * lines.length)} | ${maxBacklogSeconds.toFixed(2)} s | ${catchUp.toFixed(2)} s | ${remaining === 0 ? 'yes' : `no (${remaining} left)`} | ${load.lateSeconds} |`;
}

// Warm-up, not reported: creates every series the runs will write (a new series costs InfluxDB far more than a point).
console.error('warm-up:', await run(Math.max(...levels), 1, 2, 'warm'));
for (const collectors of collectorCounts) {
  for (const sensors of levels) {
    rows.push(await run(sensors, collectors, seconds, 'b'));
    console.error(rows.at(-1));
  }
}

console.log(
  `Sink: ${victoria ? 'victoria-metrics (v2 write API)' : 'influxd 1.6.7 (v1 write API)'}. The sink alone, same lines, one writer, batches of 500 summaries: **${Math.round(ceiling)} points/s** (${Math.round(ceiling / lines.length)} summaries/s)\n`,
);
console.log(
  '| sensors (1 summary/s each) | collectors | offered summaries/s | sustained summaries/s | points/s | max backlog | catch-up after load | all stored | generator late seconds |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
await Promise.allSettled([nats.dispose(), influx.dispose(), victoria?.dispose()]);
process.exit(0);
