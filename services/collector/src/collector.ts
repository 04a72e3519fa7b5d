import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  JetStreamKeeper,
  LeaderLease,
  MaxDeliveriesWatcher,
  NatsLink,
  deadLetter,
  natsOptions,
  runBatchConsumer,
} from '@wirewatch/bus';
import { createInfluxWriter, heartbeatLines, summaryLines, type InfluxWriter } from '@wirewatch/influx';
import { HEARTBEAT_SUBJECTS, SUMMARY_SUBJECTS, decodeHeartbeat, decodeSummaryForStorage } from '@wirewatch/protocol';
import { throttledLog, type Logger } from '@wirewatch/service';
import { BatchIngest, type Converted } from './batch-ingest.js';
import type { CollectorConfig } from './config.js';
import { FleetMerge } from './fleet-merge.js';
import { randomBytes } from 'node:crypto';

/** A collector replica: two shared durable consumers (summaries, heartbeats) → InfluxDB. */
export class Collector {
  readonly summaries: BatchIngest;
  readonly heartbeats: BatchIngest;
  /** Messages waiting in the stream for this consumer group, plus delivered-but-unacked, by consumer. */
  readonly pending = { summaries: 0, heartbeats: 0 };
  consumerErrors = 0;
  fleet: FleetMerge | undefined;
  lease: LeaderLease | undefined;
  /** The stream and consumers, recreated when NATS loses them (its `problem` is a /readyz reason). */
  keeper: JetStreamKeeper | undefined;
  /** Copies the messages a consumer gave up on (max_deliver) to the dead-letter stream. */
  maxDeliveries: MaxDeliveriesWatcher | undefined;
  readonly id = randomBytes(4).toString('hex');
  private readonly abort = new AbortController();
  private readonly link: NatsLink;
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private running: Promise<unknown> | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  /** Failures that repeat for as long as InfluxDB refuses: logged once per 10 s, counted always. */
  private readonly repeating: ReturnType<typeof throttledLog>;

  constructor(
    readonly config: CollectorConfig,
    readonly writer: InfluxWriter,
    private readonly log: Logger,
  ) {
    this.link = new NatsLink('wirewatch-collector', log);
    this.repeating = throttledLog(log);
    const write = (lines: string[]) => writer.write(lines, { signal: this.abort.signal });
    const dead = (consumer: string) => (m: Parameters<typeof deadLetter>[2], r: Parameters<typeof deadLetter>[3]) =>
      this.nc ? deadLetter(this.nc, consumer, m, r) : Promise.reject(new Error('not connected'));
    const onFirstRejection = (kind: string) => (rejection: { kind: string; detail: string }, subject: string) =>
      log.warn(
        { consumer: kind, reason: rejection.kind, detail: rejection.detail, subject },
        'rejected a message (dead-lettered; further rejections of this kind are counted, not logged)',
      );
    this.summaries = new BatchIngest({
      convert: (data, subject) => this.convertSummary(data, subject),
      write,
      deadLetter: dead(config.consumer.summaries),
      onFirstRejection: onFirstRejection('summaries'),
      signal: this.abort.signal,
    });
    this.heartbeats = new BatchIngest({
      convert: (data, subject) => {
        const d = decodeHeartbeat(data, subject);
        return d.ok ? { ok: true, lines: heartbeatLines(d.message) } : d;
      },
      write,
      deadLetter: dead(config.consumer.heartbeats),
      onFirstRejection: onFirstRejection('heartbeats'),
      signal: this.abort.signal,
    });
  }

  /** Streams and consumers are set up and batches are being fetched. */
  consuming = false;

  /** Connected to a NATS server right now (false while the client is reconnecting). */
  get connected(): boolean {
    return this.link.connected;
  }

  /** Why the last attempt to reach NATS failed, while not connected yet. */
  get connectError(): string | undefined {
    return this.link.connectError;
  }

  /** Connects (retrying until NATS answers), sets up streams and consumers, and consumes until `stop()`. */
  async start(): Promise<void> {
    const c = this.config;
    const nc = await this.link.connect(natsOptions(c.nats), this.abort.signal);
    this.nc = nc;
    const ackWaitMs = c.consumer.ackWaitSeconds * 1000;
    const maxDeliver = c.consumer.maxDeliver;
    this.keeper = new JetStreamKeeper(nc, {
      manageStreams: c.nats.manageStreams,
      streams: { stream: c.nats.stream, replicas: c.nats.replicas },
      log: this.log,
    });
    this.jsm = await this.keeper.setUp([
      { name: c.consumer.summaries, filterSubject: SUMMARY_SUBJECTS, ackWaitMs, maxDeliver },
      { name: c.consumer.heartbeats, filterSubject: HEARTBEAT_SUBJECTS, ackWaitMs, maxDeliver },
    ]);
    await this.watchMaxDeliveries(nc);
    this.log.info({ servers: c.nats.servers, stream: c.nats.stream }, 'consuming');
    this.consuming = true;
    const common = {
      stream: c.nats.stream,
      batchSize: c.consumer.batchSize,
      maxWaitMs: c.consumer.maxWaitMs,
      ackWaitMs,
      signal: this.abort.signal,
      onMissing: this.keeper.repair,
      onError: (error: unknown) => {
        this.consumerErrors++;
        this.repeating('warn', { err: (error as Error).message }, 'consumer batch failed; it will be redelivered');
      },
    };
    this.lagTimer = setInterval(() => void this.refreshPending(), 2000);
    this.running = Promise.all([
      runBatchConsumer(nc, { ...common, name: c.consumer.summaries, handle: (b) => this.summaries.handle(b) }),
      runBatchConsumer(nc, { ...common, name: c.consumer.heartbeats, handle: (b) => this.heartbeats.handle(b) }),
      c.fleet.enabled ? this.startFleet(nc, common) : Promise.resolve(),
    ]);
  }

  /** The fleet merge: its own durable consumer, fetched only while this replica holds the lease. */
  private async startFleet(
    nc: NatsConnection,
    common: Omit<Parameters<typeof runBatchConsumer>[1], 'name' | 'handle'>,
  ): Promise<void> {
    const c = this.config;
    await this.keeper!.setUp([
      {
        name: c.fleet.consumer,
        filterSubject: SUMMARY_SUBJECTS,
        ackWaitMs: common.ackWaitMs,
        maxAckPending: 200_000,
        maxDeliver: c.consumer.maxDeliver,
      },
    ]);
    const newMerge = () =>
      new FleetMerge({
        topN: c.topN,
        graceMs: c.fleet.graceSeconds * 1000,
        ackWaitMs: common.ackWaitMs,
        shape: c.fleet.sketch,
        write: (lines) => this.writer.write(lines, { signal: this.abort.signal }),
        onWriteError: (error) =>
          this.repeating('warn', { err: (error as Error).message }, 'fleet top write failed; retrying'),
        limits: { maxIntervals: c.fleet.maxIntervals, maxBytes: c.fleet.maxMegabytes * 1024 ** 2 },
        onFirstCapReached: (held) =>
          this.log.warn(
            held,
            'fleet merge at its memory cap: oldest intervals written early, retained merges dropped early (counted in wirewatch_collector_fleet_capped_total)',
          ),
        onFirstShapeMismatch: (subject, shape) =>
          this.log.warn(
            { subject, capacity: shape.capacity, precision: shape.precision, fleet: c.fleet.sketch },
            "a summary's sketch sizes differ from the fleet's (the sensor's sketch.* against the collector's fleet.sketch.*): left out of the fleet-wide top lists, stored per sensor (counted, not logged again)",
          ),
        onFirstClosed: (subject, start) =>
          this.log.warn(
            { subject, interval: new Date(start).toISOString() },
            'a summary arrived for a fleet interval already written and no longer held (memory cap or ten minutes): left out of the fleet-wide top lists, stored per sensor (counted, not logged again)',
          ),
      });
    this.fleet = newMerge();
    this.lease = new LeaderLease(nc, {
      bucket: 'wirewatch_collectors',
      key: c.fleet.consumer,
      holder: this.id,
      ttlMs: c.fleet.leaseSeconds * 1000,
      replicas: c.nats.replicas,
      onError: (error) =>
        this.log.warn(
          { err: error.message, bucket: 'wirewatch_collectors' },
          'cannot take the fleet lease: no fleet-wide top lists from this replica',
        ),
      onChange: (leader) => {
        this.log.info(
          { leader },
          leader ? 'merging fleet-wide top lists' : 'not merging fleet-wide top lists (another replica does)',
        );
        // A replica that lost the lease drops its partial merges: their messages go back to the new holder.
        if (!leader) this.fleet = newMerge();
      },
    });
    await this.lease.start();
    // Writes due intervals, and keeps the messages held for them from being redelivered.
    const flushTimer = setInterval(() => {
      this.fleet?.extendHeld(Date.now());
      void this.fleet?.flush();
    }, 250);
    try {
      await runBatchConsumer(nc, {
        ...common,
        name: c.fleet.consumer,
        paused: () => !this.lease?.leader,
        handle: (b) => this.fleet!.handle(b),
      });
    } finally {
      clearInterval(flushTimer);
      await this.fleet.flush();
      await this.lease.stop();
    }
  }

  /**
   * Messages a consumer gave up on after max_deliver deliveries go to the dead-letter stream, counted
   * as rejections with reason `max_deliver` (the fleet merge's among its skipped summaries).
   */
  private async watchMaxDeliveries(nc: NatsConnection): Promise<void> {
    const c = this.config;
    const logged = new Set<string>();
    const once = (key: string, log: () => void) => {
      if (!logged.has(key)) log();
      logged.add(key);
    };
    this.maxDeliveries = new MaxDeliveriesWatcher(nc, {
      stream: c.nats.stream,
      consumers: [c.consumer.summaries, c.consumer.heartbeats, ...(c.fleet.enabled ? [c.fleet.consumer] : [])],
      queue: 'wirewatch-collector-max-deliveries',
      onDeadLettered: (consumer, subject, deliveries) => {
        const rejection = { kind: 'max_deliver', detail: `delivered ${deliveries} times without an acknowledgement` };
        const log =
          consumer === c.consumer.summaries
            ? this.summaries.rejections
            : consumer === c.consumer.heartbeats
              ? this.heartbeats.rejections
              : this.fleet?.skipped;
        log?.record(rejection);
        once(`copied ${consumer}`, () =>
          this.log.warn(
            { consumer, subject, deliveries },
            "a message reached the consumer's max_deliver: copied to the dead-letter stream (further ones are counted, not logged)",
          ),
        );
      },
      onFailure: (consumer, error) =>
        once(`failed ${consumer}`, () =>
          this.log.error(
            { consumer, err: error.message },
            'a message reached max_deliver and could not be copied to the dead-letter stream: lost (counted, further failures not logged)',
          ),
        ),
      onListenError: (consumer, error) =>
        this.log.error(
          { consumer, err: error.message },
          'cannot hear the max_deliver advisories: messages this consumer gives up on are not dead-lettered (the NATS user needs to subscribe to $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>)',
        ),
    });
    await this.maxDeliveries.start();
  }

  /** Stops fetching, lets the batch in hand finish its write and acks, then closes the connection. */
  async stop(timeoutMs: number): Promise<void> {
    this.abort.abort();
    if (this.lagTimer) clearInterval(this.lagTimer);
    if (this.running) await Promise.race([this.running, new Promise((r) => setTimeout(r, timeoutMs))]);
    await this.maxDeliveries?.stop();
    await this.nc?.drain().catch(() => undefined);
    await this.writer.close();
  }

  private convertSummary(data: Uint8Array, subject: string): Converted {
    const d = decodeSummaryForStorage(data, this.config.topN, subject);
    if (!d.ok) return d;
    return { ok: true, lines: summaryLines(d.message, d.view), emitted: d.message.emitted };
  }

  private async refreshPending(): Promise<void> {
    const jsm = this.jsm;
    if (!jsm) return;
    try {
      for (const key of ['summaries', 'heartbeats'] as const) {
        const info = await jsm.consumers.info(this.config.nats.stream, this.config.consumer[key]);
        this.pending[key] = info.num_pending + info.num_ack_pending;
      }
    } catch {
      // the next refresh tries again; the gauges keep their last value meanwhile
    }
  }
}

export type { InfluxWriter };
export { createInfluxWriter };
