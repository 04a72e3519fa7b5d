import { jetstream, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  JetStreamKeeper,
  LeaderLease,
  MaxDeliveriesWatcher,
  NatsLink,
  natsOptions,
  runBatchConsumer,
} from '@wirewatch/bus';
import type { InfluxWriter } from '@wirewatch/influx';
import type { NotificationReceiver } from '@wirewatch/notify';
import {
  HEARTBEAT_SUBJECTS,
  RejectionLog,
  SUMMARY_SUBJECTS,
  alertSubject,
  decodeHeartbeat,
  decodeSummaryForStorage,
  encodeMessage,
  type AlertMessage,
  type Rejection,
} from '@wirewatch/protocol';
import {
  DUPLICATE_ID_RULE,
  GROUP_LIMIT_RULE,
  RULE_TOP_N,
  RuleEngine,
  parseRuleSet,
  type AlertTransition,
  type EngineOptions,
  type EngineState,
  type RuleSet,
  type Silence,
} from '@wirewatch/rules';
import type { Logger } from '@wirewatch/service';
import { randomBytes } from 'node:crypto';
import { alertLine, alertMessage, notificationOf } from './alert-events.js';
import type { AlerterConfig } from './config.js';
import { StateStore } from './state-store.js';

/** A notification to deliver, kept in the persisted state until its receiver took it (or refused it for good). */
interface OutboxEntry {
  id: string;
  receiver: string;
  transition: AlertTransition;
}

interface PersistedState {
  version: 1;
  engine: EngineState;
  /** The rules text replaced through the API, which wins over the file after a restart. */
  rulesYaml?: string;
  outbox: OutboxEntry[];
  history: AlertMessage[];
}

const HISTORY = 500;

/**
 * The alert service's core: its own durable consumers on summaries and heartbeats feed the rule
 * engine; every transition is published on `wirewatch.v1.alert.<rule>`, written to InfluxDB, and
 * (unless pending or silenced) notified through an outbox kept in JetStream KV with the engine
 * state, so a restarted alerter neither repeats a "firing" nor forgets one. One replica at a time
 * is active (a KV lease); the others wait.
 */
export class Alerter {
  engine: RuleEngine;
  ruleSet: RuleSet;
  rulesYaml: string;
  readonly history: AlertMessage[] = [];
  readonly counts = {
    transitions: 0,
    notified: 0,
    notifyFailed: 0,
    summaries: 0,
    heartbeats: 0,
    skipped: 0,
    ticks: 0,
    saveFailures: 0,
  };
  /** Messages skipped (not judged), by rejection kind; each kind logged once. The collectors dead-letter them. */
  readonly rejections = new RejectionLog();
  private lastSaveError = '';
  lease: LeaderLease | undefined;
  /** The stream and consumers, recreated when NATS loses them (its `problem` is a /readyz reason). */
  keeper: JetStreamKeeper | undefined;
  /** Copies the messages a consumer gave up on (max_deliver) to the dead-letter stream, counted in `rejections`. */
  maxDeliveries: MaxDeliveriesWatcher | undefined;
  private readonly link: NatsLink;
  consuming = false;
  private outbox: OutboxEntry[] = [];
  private nc: NatsConnection | undefined;
  private store: StateStore<PersistedState> | undefined;
  private readonly abort = new AbortController();
  private running: Promise<unknown> | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private delivering = new Set<string>();
  private dirty = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** Rules whose group-limit episode was logged already. */
  private readonly limitedRules = new Set<string>();

  constructor(
    readonly config: AlerterConfig,
    ruleSet: RuleSet,
    rulesYaml: string,
    private readonly receivers: Map<string, NotificationReceiver>,
    private readonly influx: InfluxWriter | undefined,
    private readonly log: Logger,
  ) {
    this.link = new NatsLink('wirewatch-alerter', log);
    this.engine = new RuleEngine(ruleSet, this.engineOptions());
    this.ruleSet = ruleSet;
    this.rulesYaml = rulesYaml;
  }

  /** Why the last attempt to reach NATS failed, while not connected yet. */
  get connectError(): string | undefined {
    return this.link.connectError;
  }

  /** Notifications not yet confirmed by their receiver. */
  get outboxSize(): number {
    return this.outbox.length;
  }

  /** What /healthz warns of: rules turning groups away at their group limit, whose alerts may be missed; sensor ids shared by live sensors. */
  get warnings(): string[] {
    const stats = this.engine.stats();
    return [
      ...stats.atGroupLimit.map((rule) => {
        const { groupsRefused, groupsEvicted } = stats.rules[rule];
        return `rule ${rule} is at its group limit (${stats.maxGroupsPerRule}): ${groupsRefused} new groups refused and ${groupsEvicted} evicted; some of its alerts may be missed`;
      }),
      ...stats.duplicateIds.map(
        (sensor) =>
          `sensor id ${sensor} is used by more than one live sensor (runs ${this.engine.duplicateRuns(sensor).join(', ')} interleave): their data mixes`,
      ),
    ];
  }

  /** Changes (transitions, deliveries) not yet saved to JetStream KV. */
  get unsaved(): boolean {
    return this.dirty;
  }

  get active(): boolean {
    return this.consuming && (this.lease?.leader ?? false);
  }

  async start(): Promise<void> {
    const c = this.config;
    const nc = await this.link.connect(natsOptions(c.nats), this.abort.signal);
    this.nc = nc;
    const ackWaitMs = c.consumer.ackWaitSeconds * 1000;
    this.keeper = new JetStreamKeeper(nc, {
      manageStreams: c.nats.manageStreams,
      streams: { stream: c.nats.stream, replicas: c.nats.replicas },
      log: this.log,
    });
    const maxDeliver = c.consumer.maxDeliver;
    await this.keeper.setUp([
      { name: c.consumer.summaries, filterSubject: SUMMARY_SUBJECTS, ackWaitMs, maxDeliver },
      { name: c.consumer.heartbeats, filterSubject: HEARTBEAT_SUBJECTS, ackWaitMs, maxDeliver },
    ]);
    this.maxDeliveries = new MaxDeliveriesWatcher(nc, {
      stream: c.nats.stream,
      consumers: [c.consumer.summaries, c.consumer.heartbeats],
      queue: 'wirewatch-alerter-max-deliveries',
      onDeadLettered: (consumer, subject, deliveries) => {
        if (this.rejections.record({ kind: 'max_deliver', detail: `delivered ${deliveries} times` })) {
          this.log.warn(
            { consumer, subject, deliveries },
            "a message reached the consumer's max_deliver: copied to the dead-letter stream (further ones are counted, not logged)",
          );
        }
      },
      onFailure: (consumer, error) => {
        if (this.rejections.record({ kind: 'max_deliver_copy_failed', detail: error.message })) {
          this.log.error(
            { consumer, err: error.message },
            'a message reached max_deliver and could not be copied to the dead-letter stream: lost (counted, further failures not logged)',
          );
        }
      },
      onListenError: (consumer, error) =>
        this.log.error(
          { consumer, err: error.message },
          'cannot hear the max_deliver advisories: messages this consumer gives up on are not dead-lettered (the NATS user needs to subscribe to $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>)',
        ),
    });
    await this.maxDeliveries.start();
    this.store = await StateStore.open<PersistedState>(nc, c.state.bucket, 'state', c.nats.replicas);
    this.lease = new LeaderLease(nc, {
      // Its own bucket: lease entries expire (the bucket's TTL), the state must not.
      bucket: `${c.state.bucket}_lease`,
      key: 'active',
      holder: randomBytes(4).toString('hex'),
      ttlMs: c.state.leaseSeconds * 1000,
      replicas: c.nats.replicas,
      onError: (error) =>
        this.log.warn(
          { err: error.message, bucket: `${c.state.bucket}_lease` },
          'cannot take the alerter lease: this replica stands by',
        ),
      onChange: (leader) => void this.serialize(() => (leader ? this.becomeActive() : this.standBy())),
    });
    await this.lease.start();
    const common = {
      stream: c.nats.stream,
      batchSize: c.consumer.batchSize,
      maxWaitMs: c.consumer.maxWaitMs,
      ackWaitMs,
      signal: this.abort.signal,
      paused: () => !this.active,
      onMissing: this.keeper.repair,
      onError: (error: unknown) =>
        this.log.warn({ err: (error as Error).message }, 'alerter batch failed; it will be redelivered'),
    };
    this.consuming = true;
    this.tickTimer = setInterval(() => void this.serialize(() => this.tick()), 1000);
    this.log.info({ rules: this.engine.rules.length, receivers: [...this.receivers.keys()] }, 'alerter started');
    this.running = Promise.all([
      runBatchConsumer(nc, {
        ...common,
        name: c.consumer.summaries,
        handle: (b) => this.serialize(() => this.onSummaries(b)),
      }),
      runBatchConsumer(nc, {
        ...common,
        name: c.consumer.heartbeats,
        handle: (b) => this.serialize(() => this.onHeartbeats(b)),
      }),
    ]);
  }

  async stop(timeoutMs: number): Promise<void> {
    this.abort.abort();
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.running) await Promise.race([this.running, new Promise((r) => setTimeout(r, timeoutMs))]);
    await this.queue.catch(() => undefined);
    await this.maxDeliveries?.stop();
    if (this.dirty) await this.save().catch(() => undefined);
    await this.lease?.stop();
    await this.nc?.drain().catch(() => undefined);
    await this.influx?.close();
    for (const r of this.receivers.values()) r.close();
  }

  /** Replaces the rules (already validated); unchanged rules keep their state. */
  replaceRules(ruleSet: RuleSet, yaml: string): Promise<void> {
    return this.serialize(async () => {
      const transitions = this.engine.replaceRules(ruleSet, Date.now());
      this.ruleSet = ruleSet;
      this.rulesYaml = yaml;
      await this.handle(transitions);
      await this.save();
    });
  }

  addSilence(silence: Silence): Promise<void> {
    return this.serialize(async () => {
      this.engine.addSilence(silence);
      await this.save();
    });
  }

  removeSilence(id: string): Promise<boolean> {
    return this.serialize(async () => {
      const removed = this.engine.removeSilence(id);
      if (removed) await this.save();
      return removed;
    });
  }

  /** Runs state changes one at a time: consumers, ticks and the API never interleave on the engine. */
  private serialize<T>(work: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async becomeActive(): Promise<void> {
    const saved = await this.store!.load();
    if (saved) {
      if (saved.rulesYaml !== undefined && saved.rulesYaml !== this.rulesYaml) {
        const parsed = parseRuleSet(saved.rulesYaml, 'rules replaced through the API');
        if (parsed.ok) {
          this.ruleSet = parsed.ruleSet;
          this.rulesYaml = saved.rulesYaml;
          this.log.info('using the rules last replaced through the API');
        }
      }
      try {
        this.engine = RuleEngine.restore(this.ruleSet, saved.engine, this.engineOptions());
      } catch (error) {
        // A state written by another version: alerts start afresh rather than the alerter stopping.
        this.log.warn({ err: (error as Error).message }, 'the saved alert state cannot be restored; starting fresh');
        this.engine = new RuleEngine(this.ruleSet, this.engineOptions());
      }
      this.outbox = saved.outbox;
      this.history.splice(0, this.history.length, ...saved.history);
      this.log.info(
        { alerts: this.engine.activeAlerts().length, outbox: this.outbox.length },
        'active: resumed the saved alert state',
      );
      this.deliverOutbox();
    } else {
      this.log.info('active: no saved alert state, starting fresh');
    }
  }

  private standBy(): void {
    this.log.info('standing by: another alerter replica is active');
  }

  private skip(rejection: Rejection, subject: string): void {
    this.counts.skipped++;
    if (this.rejections.record(rejection)) {
      this.log.warn(
        { reason: rejection.kind, detail: rejection.detail, subject },
        'skipped a message it cannot trust (further ones of this kind are counted, not logged)',
      );
    }
  }

  private async onSummaries(batch: JsMsg[]): Promise<void> {
    const transitions: AlertTransition[] = [];
    for (const m of batch) {
      const d = decodeSummaryForStorage(m.data, RULE_TOP_N, m.subject);
      if (!d.ok) {
        this.skip(d.rejection, m.subject); // the collectors dead-letter it; the alerter only skips it
        continue;
      }
      this.counts.summaries++;
      transitions.push(...this.engine.observeSummary(d.message, d.view.top, Date.now()));
    }
    await this.handle(transitions);
    await this.save();
    for (const m of batch) m.ack();
  }

  private async onHeartbeats(batch: JsMsg[]): Promise<void> {
    const transitions: AlertTransition[] = [];
    for (const m of batch) {
      const d = decodeHeartbeat(m.data, m.subject);
      if (!d.ok) {
        this.skip(d.rejection, m.subject);
        continue;
      }
      this.counts.heartbeats++;
      transitions.push(...this.engine.observeHeartbeat(d.message, Date.now()));
    }
    await this.handle(transitions);
    await this.save();
    for (const m of batch) m.ack();
  }

  private async tick(): Promise<void> {
    if (!this.active) return;
    const transitions = this.engine.tick(Date.now());
    this.counts.ticks++;
    if (transitions.length > 0) await this.handle(transitions);
    if (this.dirty || transitions.length > 0) await this.save();
  }

  /** Publishes, records and queues notifications for `transitions` (the caller saves the state). */
  private async handle(transitions: AlertTransition[]): Promise<void> {
    if (transitions.length === 0) return;
    const js = jetstream(this.nc!);
    for (const t of transitions) {
      this.counts.transitions++;
      const message = alertMessage(t);
      this.history.push(message);
      if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
      await js.publish(alertSubject(t.rule), encodeMessage(message), {
        msgID: `${t.dedupKey}|${t.state}|${t.at}|${t.repeat}`,
      });
      this.log.info(
        { rule: t.rule, state: t.state, key: t.dedupKey, value: t.value, silenced: t.silenced, repeat: t.repeat },
        'alert transition',
      );
      if (t.rule === GROUP_LIMIT_RULE) this.logGroupLimit(t);
      if (t.rule === DUPLICATE_ID_RULE) this.logDuplicateId(t);
      if (t.state === 'pending' || t.silenced) continue;
      for (const receiver of t.receivers) {
        if (!this.receivers.has(receiver)) {
          this.log.warn({ rule: t.rule, receiver }, 'rule routes to a receiver that is not configured');
          continue;
        }
        this.outbox.push({ id: randomBytes(8).toString('hex'), receiver, transition: t });
      }
    }
    if (this.influx) {
      const lines = transitions.map(alertLine);
      this.influx
        .write(lines, { signal: this.abort.signal })
        .catch((error: Error) => this.log.warn({ err: error.message }, 'could not write alert annotations'));
    }
    this.dirty = true;
    // Delivered after the state (with the outbox) is saved: the caller saves before acking.
    queueMicrotask(() => void this.queue.then(() => this.deliverOutbox()));
  }

  /** One warning per rule and episode (the alert's first firing), one line when it ends. */
  private logGroupLimit(t: AlertTransition): void {
    const rule = t.group.limited_rule;
    if (t.state === 'firing' && !this.limitedRules.has(rule)) {
      this.limitedRules.add(rule);
      this.log.warn(
        { rule, groups: t.value, limit: t.threshold },
        'rule at its group limit: new groups evict smaller ones or are refused; some of its alerts may be missed',
      );
    } else if (t.state === 'resolved') {
      this.limitedRules.delete(rule);
      this.log.info({ rule }, 'rule no longer turning groups away at its group limit');
    }
  }

  /** One warning per sensor id and episode (the alert's firing), one line when it ends. */
  private logDuplicateId(t: AlertTransition): void {
    const sensor = t.group.sensor;
    if (t.state === 'firing') {
      this.log.warn(
        { sensor, runs: this.engine.duplicateRuns(sensor) },
        'two or more live sensors publish under one sensor id (their runs interleave): their data mixes; give each its own id',
      );
    } else if (t.state === 'resolved') {
      this.log.info({ sensor }, 'sensor id no longer shared: its runs stopped interleaving');
    }
  }

  private engineOptions(): EngineOptions {
    return { now: Date.now(), maxGroupsPerRule: this.config.engine.maxGroupsPerRule };
  }

  /** Sends every outbox entry not already on its way; each finished one leaves the outbox. */
  private deliverOutbox(): void {
    for (const entry of this.outbox) {
      if (this.delivering.has(entry.id)) continue;
      const receiver = this.receivers.get(entry.receiver);
      if (!receiver) continue;
      this.delivering.add(entry.id);
      void receiver.send(notificationOf(entry.transition, this.config.dashboardUrl)).then((result) => {
        this.delivering.delete(entry.id);
        this.outbox = this.outbox.filter((e) => e.id !== entry.id);
        this.dirty = true;
        // Saved at once: a restart resends only what was not confirmed (at least once, never twice in the normal case).
        void this.serialize(() => this.save()).catch((error: Error) =>
          this.log.warn({ err: error.message }, 'could not save the alert state'),
        );
        if (result.delivered) this.counts.notified++;
        else {
          this.counts.notifyFailed++;
          this.log.error(
            { receiver: entry.receiver, rule: entry.transition.rule, reason: result.reason },
            'notification failed',
          );
        }
      });
    }
  }

  /**
   * Saves the state. A failure (KV unreachable, a state larger than NATS's max payload) is counted and
   * logged once per cause, and evaluation goes on: alerts keep flowing, only restart safety is lost
   * until a save succeeds again.
   */
  private async save(): Promise<void> {
    if (!this.store || !this.active) return;
    try {
      await this.store.save({
        version: 1,
        engine: this.engine.snapshot(),
        rulesYaml: this.rulesYaml,
        outbox: this.outbox,
        history: this.history,
      });
      this.dirty = false;
      this.lastSaveError = '';
    } catch (error) {
      this.counts.saveFailures++;
      const message = (error as Error).message;
      if (message !== this.lastSaveError)
        this.log.error({ err: message }, 'could not save the alert state; alerts go on, but a restart would lose it');
      this.lastSaveError = message;
    }
  }
}
