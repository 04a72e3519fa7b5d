import { observeMetric, type Sample } from '@wirewatch/service';
import type { NotificationReceiver } from '@wirewatch/notify';
import type { RuleStats } from '@wirewatch/rules';
import type { Registry } from 'prom-client';
import type { Alerter } from './alerter.js';

/** Prometheus metrics read from the alerter's counters at scrape time. */
export function registerAlerterMetrics(
  registry: Registry,
  alerter: Alerter,
  receivers: Map<string, NotificationReceiver>,
): void {
  const observe = (name: string, help: string, labelNames: string[], read: () => Sample[]): void =>
    observeMetric(registry, name, help, labelNames, read);
  observe('wirewatch_alerter_active', '1 on the replica evaluating rules', [], () => [[{}, alerter.active ? 1 : 0]]);
  observe('wirewatch_alerter_rules', 'Rules loaded', [], () => [[{}, alerter.engine.rules.length]]);
  observe('wirewatch_alerter_alerts', 'Alerts pending or firing', ['state'], () => {
    const alerts = alerter.engine.activeAlerts();
    return [
      [{ state: 'pending' }, alerts.filter((a) => a.state === 'pending').length],
      [{ state: 'firing' }, alerts.filter((a) => a.state === 'firing').length],
    ];
  });
  observe(
    'wirewatch_alerter_outbox',
    'Notifications not yet confirmed by their receiver (saved with the state)',
    [],
    () => [[{}, alerter.outboxSize]],
  );
  observe('wirewatch_alerter_state_unsaved', '1 while changes wait to be saved to JetStream KV', [], () => [
    [{}, alerter.unsaved ? 1 : 0],
  ]);
  observe(
    'wirewatch_alerter_state_save_failures_total',
    'Saves of the alert state to JetStream KV that failed',
    [],
    () => [[{}, alerter.counts.saveFailures]],
  );
  observe('wirewatch_alerter_ticks_total', 'Evaluations on the clock (absence rules, settling groups)', [], () => [
    [{}, alerter.counts.ticks],
  ]);
  observe('wirewatch_alerter_transitions_total', 'Alert transitions (pending, firing, resolved, repeats)', [], () => [
    [{}, alerter.counts.transitions],
  ]);
  observe('wirewatch_alerter_messages_total', 'Messages evaluated, by kind', ['kind'], () => [
    [{ kind: 'summary' }, alerter.counts.summaries],
    [{ kind: 'heartbeat' }, alerter.counts.heartbeats],
    [{ kind: 'invalid' }, alerter.counts.skipped],
  ]);
  observe(
    'wirewatch_alerter_max_deliver_total',
    "Messages the alerter's consumers gave up on after max_deliver deliveries: copied to the dead-letter stream, or lost",
    ['outcome'],
    () => [
      [{ outcome: 'dead_lettered' }, alerter.maxDeliveries?.copied ?? 0],
      [{ outcome: 'copy_failed' }, alerter.maxDeliveries?.failures ?? 0],
    ],
  );
  const perRule = (read: (stats: RuleStats) => number) => (): Sample[] =>
    Object.entries(alerter.engine.stats().rules).map(([rule, stats]) => [{ rule }, read(stats)]);
  observe('wirewatch_alerter_rule_group_limit', 'Groups one rule may track (engine.maxGroupsPerRule)', [], () => [
    [{}, alerter.engine.stats().maxGroupsPerRule],
  ]);
  observe(
    'wirewatch_alerter_rule_groups',
    'Groups each rule tracks now',
    ['rule'],
    perRule((s) => s.groups),
  );
  observe(
    'wirewatch_alerter_rule_groups_refused_total',
    'New groups refused at the group limit (no group held mattered less), by rule',
    ['rule'],
    perRule((s) => s.groupsRefused),
  );
  observe(
    'wirewatch_alerter_rule_groups_evicted_total',
    'Groups evicted at the group limit for a newcomer with a larger value, by rule',
    ['rule'],
    perRule((s) => s.groupsEvicted),
  );
  observe(
    'wirewatch_alerter_rule_at_group_limit',
    '1 while a rule turns groups away at its limit (its rule-group-limit alert is on)',
    ['rule'],
    () => {
      const stats = alerter.engine.stats();
      return Object.keys(stats.rules).map((rule) => [{ rule }, stats.atGroupLimit.includes(rule) ? 1 : 0]);
    },
  );
  observe(
    'wirewatch_alerter_sensor_duplicate_id',
    '1 while the runs of a sensor id interleave: two live sensors share it (its sensor-duplicate-id alert is on)',
    ['sensor'],
    () => alerter.engine.stats().duplicateIds.map((sensor) => [{ sensor }, 1] as Sample),
  );
  observe(
    'wirewatch_alerter_sensor_run_interleavings_total',
    'Messages of a sensor id from a run that spoke again after another run of it, within a minute (restarts never do)',
    [],
    () => [[{}, alerter.engine.stats().runInterleavings]],
  );
  observe(
    'wirewatch_alerter_notifications_total',
    'Notifications by receiver and outcome',
    ['receiver', 'outcome'],
    () =>
      [...receivers.values()].flatMap((r) => [
        [{ receiver: r.name, outcome: 'sent' }, r.counters.sent] as Sample,
        [{ receiver: r.name, outcome: 'failed' }, r.counters.failed] as Sample,
        [{ receiver: r.name, outcome: 'retried' }, r.counters.retries] as Sample,
      ]),
  );
}
