import { observeMetric, type Sample } from '@wirewatch/service';
import type { Registry } from 'prom-client';
import type { Collector } from './collector.js';

/** Prometheus metrics read from the collector's counters at scrape time. */
export function registerCollectorMetrics(registry: Registry, collector: Collector): void {
  const observe = (name: string, help: string, labelNames: string[], read: () => Sample[]): void =>
    observeMetric(registry, name, help, labelNames, read);
  const ingests = () =>
    [
      ['summary', collector.summaries],
      ['heartbeat', collector.heartbeats],
    ] as const;
  observe('wirewatch_collector_messages_total', 'Messages written to InfluxDB and acknowledged', ['kind'], () =>
    ingests().map(([kind, i]) => [{ kind }, i.accepted]),
  );
  observe(
    'wirewatch_collector_rejected_total',
    'Messages refused (dead-lettered), by kind of problem',
    ['kind', 'reason'],
    () =>
      ingests().flatMap(([kind, i]) =>
        Object.entries(i.rejections.byKind()).map(([reason, n]) => [{ kind, reason }, n] as Sample),
      ),
  );
  observe(
    'wirewatch_collector_redelivered_total',
    'Messages JetStream delivered again (written again, overwriting)',
    ['kind'],
    () => ingests().map(([kind, i]) => [{ kind }, i.redelivered]),
  );
  observe(
    'wirewatch_collector_dead_letter_failures_total',
    'Rejected messages that could not be copied to the dead-letter subject (left for redelivery)',
    ['kind'],
    () => ingests().map(([kind, i]) => [{ kind }, i.deadLetterFailures]),
  );
  observe(
    'wirewatch_collector_max_deliver_copy_failures_total',
    'Messages a consumer gave up on (max_deliver) that could not be copied to the dead-letter stream: lost',
    [],
    () => [[{}, collector.maxDeliveries?.failures ?? 0]],
  );
  observe(
    'wirewatch_collector_consumer_pending',
    'Messages not yet acknowledged by the consumer group (waiting + in flight)',
    ['consumer'],
    () => [
      [{ consumer: 'summaries' }, collector.pending.summaries],
      [{ consumer: 'heartbeats' }, collector.pending.heartbeats],
    ],
  );
  observe(
    'wirewatch_collector_end_to_end_lag_seconds',
    'From the sensor closing an interval to its points accepted by InfluxDB (last batch, oldest message)',
    [],
    () => [[{}, collector.summaries.lastEndToEndLagMs / 1000]],
  );
  const w = () => collector.writer.stats;
  observe('wirewatch_collector_influx_points_total', 'Points InfluxDB accepted', [], () => [[{}, w().pointsWritten]]);
  observe('wirewatch_collector_influx_batches_total', 'Write requests by outcome', ['outcome'], () => [
    [{ outcome: 'written' }, w().batchesWritten],
    [{ outcome: 'rejected' }, w().batchesRejected],
    [{ outcome: 'aborted' }, w().batchesAborted],
  ]);
  observe('wirewatch_collector_influx_retries_total', 'Write attempts repeated after a failure', [], () => [
    [{}, w().retries],
  ]);
  observe('wirewatch_collector_influx_failed_attempts_total', 'Write attempts that failed', [], () => [
    [{}, w().failedAttempts],
  ]);
  observe('wirewatch_collector_influx_write_latency_seconds', 'Duration of the last accepted write request', [], () => [
    [{}, (w().lastLatencyMs ?? 0) / 1000],
  ]);
  observe('wirewatch_collector_influx_pending_batches', 'Writes waiting for InfluxDB (retrying)', [], () => [
    [{}, w().pendingBatches],
  ]);
  observe('wirewatch_collector_fleet_leader', '1 on the replica merging fleet-wide top lists', [], () => [
    [{}, collector.lease?.leader ? 1 : 0],
  ]);
  observe('wirewatch_collector_fleet_intervals_total', 'Fleet-wide intervals written', [], () => [
    [{}, collector.fleet?.intervalsWritten ?? 0],
  ]);
  observe(
    'wirewatch_collector_fleet_capped_total',
    'Fleet merge kept under its memory cap: retained merges dropped early (a later summary of theirs is skipped as interval_closed), intervals written before their grace ran out',
    ['action'],
    () => [
      [{ action: 'retained_dropped' }, collector.fleet?.retainedDropped ?? 0],
      [{ action: 'flushed_early' }, collector.fleet?.flushedEarly ?? 0],
    ],
  );
  observe(
    'wirewatch_collector_fleet_held_bytes',
    'Estimated memory held by the fleet merge (open, being written and retained intervals)',
    [],
    () => [[{}, collector.fleet?.windows.heldBytes ?? 0]],
  );
  observe(
    'wirewatch_collector_fleet_held_intervals',
    'Intervals held by the fleet merge, by state (closed: starts of intervals written and let go, remembered in a bounded ring)',
    ['state'],
    () => {
      const w = collector.fleet?.windows;
      return [
        [{ state: 'open' }, w?.openIntervals ?? 0],
        [{ state: 'writing' }, w?.writingIntervals ?? 0],
        [{ state: 'retained' }, w?.retainedIntervals ?? 0],
        [{ state: 'closed' }, w?.closedIntervals ?? 0],
      ];
    },
  );
  observe(
    'wirewatch_collector_fleet_skipped_total',
    'Summaries left out of the fleet-wide merge, by reason (a rejection kind; shape: sketch sizes other than fleet.sketch; interval_closed: its interval written and let go; influx_<kind>: its interval refused)',
    ['reason'],
    () => Object.entries(collector.fleet?.skipped.byKind() ?? {}).map(([reason, n]) => [{ reason }, n] as Sample),
  );
  observe('wirewatch_collector_nats_connected', '1 while connected to NATS', [], () => [
    [{}, collector.connected ? 1 : 0],
  ]);
  observe(
    'wirewatch_collector_jetstream_recreated_total',
    'Times the stream or a consumer was found gone (NATS lost its store) and set up again',
    [],
    () => [[{}, collector.keeper?.recreated ?? 0]],
  );
  observe(
    'wirewatch_collector_kv_buckets_recreated_total',
    'Times the fleet lease bucket was found gone and created again',
    [],
    () => [[{}, collector.lease?.bucketsRecreated ?? 0]],
  );
}
