import { observeMetric, type Sample } from '@wirewatch/service';
import type { Registry } from 'prom-client';
import type { Sensor } from './sensor.js';

/**
 * Prometheus metrics read from the sensor's own counters at scrape time (nothing is counted twice).
 * Cumulative values are exposed with `_total` names as the exposition format expects of counters.
 */
export function registerSensorMetrics(registry: Registry, sensor: Sensor): void {
  const observe = (name: string, help: string, labelNames: string[], read: () => Sample[]): void =>
    observeMetric(registry, name, help, labelNames, read);
  const perInterface =
    (read: (p: Sensor['pipelines'][number]) => number | null): (() => Sample[]) =>
    () =>
      sensor.pipelines.flatMap((p) => {
        const v = read(p);
        return v === null ? [] : [[{ interface: p.name }, v] as Sample];
      });
  observe(
    'wirewatch_sensor_packets_total',
    'Frames captured',
    ['interface'],
    perInterface((p) => p.packets),
  );
  observe(
    'wirewatch_sensor_bytes_total',
    'Wire bytes captured',
    ['interface'],
    perInterface((p) => p.bytes),
  );
  observe(
    'wirewatch_sensor_decode_errors_total',
    'Frames counted but not fully decoded (malformed)',
    ['interface'],
    perInterface((p) => p.decodeErrors),
  );
  observe(
    'wirewatch_sensor_kernel_dropped_total',
    'Frames the kernel dropped before the sensor read them',
    ['interface'],
    perInterface((p) => p.kernelDropped),
  );
  observe(
    'wirewatch_sensor_capture_running',
    '1 while the interface is being captured',
    ['interface'],
    perInterface((p) => (p.running ? 1 : 0)),
  );
  observe(
    'wirewatch_sensor_pcap_written_total',
    'Frames written to rotating PCAP files',
    ['interface'],
    perInterface((p) => sensor.pcapStats(p.name).written),
  );
  observe(
    'wirewatch_sensor_pcap_dropped_total',
    'Frames not saved in the PCAP copy (write errors, disk full)',
    ['interface'],
    perInterface((p) => sensor.pcapStats(p.name).dropped),
  );
  observe(
    'wirewatch_sensor_pcap_files_deleted_for_space_total',
    'Oldest PCAP copy files deleted early because the disk was full',
    ['interface'],
    perInterface((p) => sensor.pcapStats(p.name).filesDeletedForSpace),
  );
  observe(
    'wirewatch_sensor_pcap_write_errors_total',
    'PCAP copy writes that failed (frame not saved)',
    ['interface'],
    perInterface((p) => sensor.pcapStats(p.name).writeErrors),
  );
  observe(
    'wirewatch_sensor_clock_steps_total',
    'Steps of the wall clock seen by the interval window (live capture)',
    ['interface', 'direction'],
    () =>
      sensor.pipelines.flatMap((p) => [
        [{ interface: p.name, direction: 'forward' }, p.clockSteps.forward] as Sample,
        [{ interface: p.name, direction: 'backward' }, p.clockSteps.backward] as Sample,
      ]),
  );
  observe(
    'wirewatch_sensor_clock_skipped_seconds_total',
    'Time skipped without summaries because the wall clock stepped forward (reported as one gap each)',
    ['interface'],
    perInterface((p) => p.clockSteps.skippedMs / 1000),
  );
  observe('wirewatch_sensor_summaries_total', 'Interval summaries produced', [], () => [[{}, sensor.summaries]]);
  observe('wirewatch_sensor_published_total', 'Summaries acknowledged by JetStream', [], () => [
    [{}, sensor.publisher.published],
  ]);
  observe('wirewatch_sensor_publish_failures_total', 'Publish attempts that failed and will be retried', [], () => [
    [{}, sensor.publisher.failures],
  ]);
  observe('wirewatch_sensor_publish_lag_seconds', 'Age of the oldest summary not yet acknowledged', [], () => [
    [{}, sensor.publisher.lagMs() / 1000],
  ]);
  observe('wirewatch_sensor_heartbeats_failed_total', 'Heartbeats not sent (NATS unreachable)', [], () => [
    [{}, sensor.heartbeatsFailed],
  ]);
  observe('wirewatch_sensor_spool_records', 'Summaries waiting in the on-disk spool', [], () => [
    [{}, sensor.spoolStats().records],
  ]);
  observe('wirewatch_sensor_spool_bytes', 'Bytes waiting in the on-disk spool', [], () => [
    [{}, sensor.spoolStats().bytes],
  ]);
  observe('wirewatch_sensor_spool_dropped_total', 'Summaries lost from the spool, by reason', ['reason'], () => {
    const s = sensor.spoolStats();
    return [
      [{ reason: 'oldest_beyond_bound' }, s.droppedOldest],
      [{ reason: 'disk_full' }, s.droppedDiskFull],
      [{ reason: 'write_error' }, s.droppedWriteErrors - s.droppedDiskFull],
      [{ reason: 'oversize' }, s.droppedOversize],
      [{ reason: 'corrupt' }, s.corruptSkipped],
    ];
  });
  observe(
    'wirewatch_sensor_spool_refused_packets_total',
    'Frames counted in summaries the spool refused to store (disk full, write error, too big): lost before publishing',
    [],
    () => [[{}, sensor.refused.packets]],
  );
  observe(
    'wirewatch_sensor_restart_gap_seconds',
    'Since the previous run of this sensor stopped (or last checkpointed, when killed) until this run began capturing: frames then were not captured (0: not a restart)',
    [],
    () => {
      const g = sensor.restartGap;
      return [[{}, g === undefined ? 0 : (g.to - g.from) / 1000]];
    },
  );
  observe(
    'wirewatch_sensor_restart_unpublished_packets',
    'Frames the previous, killed run had counted in intervals it never published (0: clean stop or not a restart)',
    [],
    () => [[{}, sensor.restartGap?.unpublished.reduce((n, o) => n + o.packets, 0) ?? 0]],
  );
  observe(
    'wirewatch_sensor_checkpoint_write_errors_total',
    'Run checkpoints (what a restart measures its gap from) that could not be written to the spool directory',
    [],
    () => [[{}, sensor.checkpointWriteErrors]],
  );
  observe('wirewatch_sensor_nats_connected', '1 while connected to NATS', [], () => [[{}, sensor.connected ? 1 : 0]]);
}
