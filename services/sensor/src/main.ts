import { createLogger, createServiceServer, onShutdown } from '@wirewatch/service';
import type { SensorConfig } from './config.js';
import { registerSensorMetrics } from './metrics.js';
import { runOutcome } from './run-outcome.js';
import { Sensor } from './sensor.js';

/** How long a stopping sensor keeps trying to publish what is spooled (the rest waits on disk). */
const DRAIN_MS = 10_000;
const FAILED_DRAIN_MS = 1_000;

/**
 * The sensor process: capture + summaries + spool + publish, with health and metrics. A live capture
 * runs until SIGTERM; a replay ends when the file does and every summary is acknowledged.
 */
export async function runSensor(config: SensorConfig): Promise<void> {
  const log = createLogger({ name: 'sensor', level: config.logLevel });
  const sensor = await Sensor.open(config, log);
  const server = createServiceServer({
    name: 'sensor',
    host: config.http.host,
    port: config.http.port,
    logger: log,
    readiness: () => {
      if (!sensor.pipelines.every((p) => p.running)) return { ready: false, reason: 'capture not running' };
      if (!sensor.connected) {
        const why = sensor.connectError ? `: ${sensor.connectError}` : '';
        return { ready: false, reason: `not connected to NATS${why} (summaries are spooled)` };
      }
      return { ready: true };
    },
    health: () => ({
      sensor: config.id,
      run: sensor.run,
      nats: sensor.connected ? 'connected' : 'disconnected',
      interfaces: sensor.pipelines.map((p) => ({
        name: p.name,
        running: p.running,
        packets: p.packets,
        kernelDropped: p.kernelDropped,
        clockSteps: p.clockSteps,
        ...(config.writePcap.dir === undefined ? {} : { pcap: sensor.pcapStats(p.name) }),
      })),
      summaries: sensor.summaries,
      published: sensor.publisher.published,
      publishLagMs: sensor.publisher.lagMs(),
      spool: sensor.spoolStats(),
      refused: sensor.refused,
      ...restartHealth(sensor),
    }),
  });
  registerSensorMetrics(server.registry, sensor);
  const address = await server.listen();
  log.info({ url: address.url, sensor: config.id, run: sensor.run }, 'health and metrics listening');
  let stopping = false;
  let stopped!: () => void;
  const shutdownDone = new Promise<void>((resolve) => (stopped = resolve));
  const capturing = sensor.runCapture();
  const logOutcome = () => {
    const outcome = runOutcome(sensor.publisher.published, sensor.spoolStats());
    log[outcome.lost > 0 ? 'warn' : 'info'](
      { published: sensor.publisher.published, summaries: sensor.summaries, ...outcome.counts },
      outcome.message,
    );
  };
  onShutdown(
    async () => {
      stopping = true;
      sensor.stopCapture();
      // The last, partial intervals are emitted as the capture ends: wait for them before draining.
      await capturing.catch(() => undefined);
      await sensor.close(DRAIN_MS);
      logOutcome();
      await server.close();
      stopped();
    },
    { logger: log, timeoutMs: DRAIN_MS + 10_000 },
  );
  try {
    await capturing;
  } catch (error) {
    if (stopping) return shutdownDone;
    // The capture failed (no such device, permissions): publish what is there briefly; the rest stays spooled.
    await sensor.close(FAILED_DRAIN_MS).catch(() => undefined);
    await server.close();
    throw error;
  }
  if (stopping) return shutdownDone;
  // A replay ended: publish everything before exiting (NATS may still be coming up: wait for it).
  log.info({ summaries: sensor.summaries }, 'replay finished; publishing what is left');
  await sensor.close(Number.POSITIVE_INFINITY);
  logOutcome();
  await server.close();
}

/** /healthz: the gap this run started after, when it is a restart. */
function restartHealth(sensor: Sensor): { restart?: Record<string, unknown> } {
  const g = sensor.restartGap;
  if (g === undefined) return {};
  return {
    restart: {
      previousRun: g.previousRun,
      clean: g.clean,
      gapSeconds: (g.to - g.from) / 1000,
      unpublishedPackets: g.unpublished.reduce((n, o) => n + o.packets, 0),
    },
  };
}
