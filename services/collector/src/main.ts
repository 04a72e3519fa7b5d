import { createInfluxWriter, influxWriterOptions } from '@wirewatch/influx';
import { createLogger, createServiceServer, onShutdown, throttledLog } from '@wirewatch/service';
import { Collector } from './collector.js';
import type { CollectorConfig } from './config.js';
import { InfluxReadiness } from './influx-readiness.js';
import { registerCollectorMetrics } from './metrics.js';

/** The collector process: config → InfluxDB writer + NATS consumers → health, metrics, clean shutdown. */
export async function runCollector(config: CollectorConfig): Promise<void> {
  const log = createLogger({ name: 'collector', level: config.logLevel });
  const repeating = throttledLog(log);
  const writer = createInfluxWriter({
    ...influxWriterOptions(config.influx),
    onRetry: (e) =>
      log.warn(
        { reason: e.reason, attempt: e.failedAttempts, retryInMs: e.delayMs, lines: e.lines },
        'InfluxDB write failed; retrying',
      ),
    onRejected: (error, lines) =>
      repeating(
        'error',
        { err: error.message, lines: lines.length },
        'InfluxDB refused a batch (bad data: the collector splits it and dead-letters the messages refused alone; otherwise the batch is held or redelivered)',
      ),
  });
  const collector = new Collector(config, writer, log);
  const influx = new InfluxReadiness({
    url: config.influx.url,
    token: config.influx.token,
    timeoutMs: config.influx.timeoutMs,
    stats: () => writer.stats,
    onChange: (reason) =>
      reason ? log.error({ reason }, 'not ready: InfluxDB') : log.info('InfluxDB takes writes again'),
  });
  const server = createServiceServer({
    name: 'collector',
    host: config.http.host,
    port: config.http.port,
    logger: log,
    readiness: () => {
      if (!collector.connected)
        return {
          ready: false,
          reason: `not connected to NATS${collector.connectError ? `: ${collector.connectError}` : ''}`,
        };
      if (!collector.consuming) return { ready: false, reason: 'setting up streams and consumers' };
      if (collector.keeper?.problem) return { ready: false, reason: collector.keeper.problem };
      const influxProblem = influx.reason;
      if (influxProblem) return { ready: false, reason: influxProblem };
      return { ready: true };
    },
    health: () => ({
      nats: collector.connected ? 'connected' : 'disconnected',
      influx: writer.stats,
      accepted: { summaries: collector.summaries.accepted, heartbeats: collector.heartbeats.accepted },
      rejected: {
        summaries: collector.summaries.rejections.byKind(),
        heartbeats: collector.heartbeats.rejections.byKind(),
      },
      pending: collector.pending,
      fleetLeader: collector.lease?.leader ?? false,
    }),
  });
  registerCollectorMetrics(server.registry, collector);
  const address = await server.listen();
  log.info({ url: address.url }, 'health and metrics listening');
  let stopping = false;
  onShutdown(
    async () => {
      stopping = true;
      influx.stop();
      await collector.stop(10_000);
      await server.close();
    },
    { logger: log, timeoutMs: 20_000 },
  );
  await influx.start();
  await collector.start().catch((error: Error) => {
    // Only a shutdown during the first connection ends up here; anything else is a real failure.
    if (!stopping) throw error;
  });
}
