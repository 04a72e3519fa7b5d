import {
  NatsLink,
  ensureStreams,
  isNoResponders,
  isTimeout,
  natsOptions,
  sensorInboxPrefix,
  SpoolPublisher,
} from '@wirewatch/bus';
import { FileReplay, LiveCapture, PcapRotator, type PacketSource } from '@wirewatch/capture';
import { buildSummaryMessage, encodeMessage, heartbeatSubject, summarySubject } from '@wirewatch/protocol';
import { throttledLog, type Logger } from '@wirewatch/service';
import { Spool } from '@wirewatch/spool';
import type { NatsConnection } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { SensorConfig } from './config.js';
import { buildHeartbeat } from './heartbeat.js';
import { InterfacePipeline, type ClockStep, type ClosedInterval } from './interface-pipeline.js';
import { RestartTracker } from './restart-tracker.js';
import type { OpenIntervalCounts, RestartGap } from './run-checkpoint.js';

export const SOFTWARE = 'wirewatch-sensor/0.1.0';

export interface PcapCopyStats {
  written: number;
  dropped: number;
  writeErrors: number;
  filesDeletedForSpace: number;
  failing: string | null;
}
/** Summaries a replay may have waiting to be published before it pauses reading. */
const REPLAY_BACKLOG = 256;

/** A running sensor: capture → summaries → spool → JetStream, plus heartbeats. */
export class Sensor {
  readonly run = randomBytes(6).toString('hex');
  readonly started = Date.now();
  readonly pipelines: InterfacePipeline[];
  readonly publisher: SpoolPublisher;
  summaries = 0;
  heartbeatsFailed = 0;
  /** Summaries the spool refused (disk full, write error, too big), and the frames they counted. */
  readonly refused = { summaries: 0, packets: 0 };
  /** Set while appends to the spool fail, so the recovery is logged once. */
  private refusing = false;
  private readonly repeating: ReturnType<typeof throttledLog>;
  private seq = 0;
  /** When `stopCapture()` closed the captures (a clean stop). */
  private stopRequestedAt: number | undefined;
  private nc: NatsConnection | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly rotators = new Map<string, PcapRotator>();
  private connecting: Promise<void> | undefined;
  private closing = false;
  /** Why the last attempt to reach NATS failed, while not connected yet. */
  private readonly stopConnecting = new AbortController();
  private readonly link: NatsLink;
  /** Set once draining is over: a connection that comes up later is closed at once. */
  private closed = false;

  private constructor(
    readonly config: SensorConfig,
    private readonly spool: Spool,
    private readonly log: Logger,
    /** Live capture only: checkpoints the run so a restart counts its gap (a replay starts its file over). */
    private readonly restart?: RestartTracker,
  ) {
    this.link = new NatsLink(`wirewatch-sensor ${config.id}`, log);
    this.repeating = throttledLog(log);
    this.publisher = new SpoolPublisher(spool, {
      subject: summarySubject(config.id),
      onStateChange: (healthy, detail, error) =>
        healthy
          ? log.info('publishing to JetStream')
          : log.warn({ detail, ...publishHint(error) }, 'JetStream publish failing; summaries wait in the spool'),
    });
    this.pipelines = this.sources().map(
      (source) =>
        new InterfacePipeline({
          source,
          intervalMs: Math.round(config.intervalSeconds * 1000),
          sketch: config.sketch,
          clock: config.capture.pcap === undefined ? 'wall' : 'packets',
          rotator: this.rotatorFor(source.name),
          emit: (interval) => this.publishInterval(interval),
          onClockStep: (step) => this.onClockStep(step),
        }),
    );
  }

  static async open(config: SensorConfig, log: Logger): Promise<Sensor> {
    const intervalsPerMinute = 60 / config.intervalSeconds;
    const interfaces = Math.max(1, config.capture.interfaces.length);
    const spool = await Spool.open(config.spool.dir, {
      maxBytes: config.spool.maxMegabytes * 1024 * 1024,
      segmentBytes: config.spool.segmentKilobytes * 1024,
      maxRecords: Math.ceil(config.spool.maxMinutes * intervalsPerMinute * interfaces),
    });
    const kept = spool.stats();
    if (kept.records > 0 || kept.corruptSkipped > 0) {
      // Left by an earlier run (a crash, or NATS unreachable at its end): sent first. Damage is a record torn by a crash.
      log[kept.corruptSkipped > 0 ? 'warn' : 'info'](
        { records: kept.records, corruptSkipped: kept.corruptSkipped, dir: config.spool.dir },
        'spool holds summaries of an earlier run; publishing them first',
      );
    }
    const restart =
      config.capture.pcap === undefined ? await RestartTracker.open(config.spool.dir, config.id) : undefined;
    return new Sensor(config, spool, log, restart);
  }

  /** Captures until every source ends (replay) or `stop()`; connects to NATS in the background meanwhile. */
  async runCapture(): Promise<void> {
    this.connecting = this.connect().catch((error: Error) => {
      if (!this.stopConnecting.signal.aborted) this.log.error({ err: error.message }, 'NATS connection failed');
    });
    const publishing = this.publisher.run();
    this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), this.config.heartbeatSeconds * 1000);
    this.restart?.begin(
      this.run,
      this.pipelines.map((p) => p.name),
      () => this.openCounts(),
      this.log,
    );
    const results = await Promise.allSettled(this.pipelines.map((p) => p.run()));
    // Every partial interval is in the spool now: the next run's gap starts where the capture closed.
    await this.restart?.stop(this.stopRequestedAt);
    for (const r of results)
      if (r.status === 'rejected') this.log.error({ err: (r.reason as Error).message }, 'capture stopped');
    void publishing;
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Stops capturing (the last partial intervals are emitted); then `close()` publishes what it can. */
  stopCapture(): void {
    this.stopRequestedAt ??= Date.now();
    for (const p of this.pipelines) p.stop();
  }

  /** Sends what is spooled (up to `drainMs`), a last heartbeat, and closes everything. */
  async close(drainMs: number): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.publisher.drain(drainMs);
    this.closed = true;
    this.stopConnecting.abort();
    this.sendHeartbeat();
    for (const [name, r] of this.rotators) {
      r.close();
      const s = this.pcapStats(name);
      this.log[s.dropped > 0 ? 'warn' : 'info'](
        { interface: name, ...s },
        s.dropped > 0 ? `PCAP copy closed: ${s.dropped} frames not saved` : 'PCAP copy closed: every frame saved',
      );
    }
    await this.nc?.drain().catch(() => undefined);
    await this.spool.close();
  }

  /** Why the last attempt to reach NATS failed, while not connected yet. */
  get connectError(): string | undefined {
    return this.link.connectError;
  }

  /** Connected to a NATS server right now (false while the client is reconnecting). */
  get connected(): boolean {
    return this.link.connected && this.nc !== undefined;
  }

  /** The capture gap since the previous run of this sensor, when this run is a restart (live capture). */
  get restartGap(): RestartGap | undefined {
    return this.restart?.gap;
  }

  /** Run checkpoints that could not be written (live capture). */
  get checkpointWriteErrors(): number {
    return this.restart?.checkpointWriteErrors ?? 0;
  }

  /** The open intervals' counters, as a checkpoint records them. */
  private openCounts(): OpenIntervalCounts[] {
    return this.pipelines.flatMap((p) => {
      const o = p.openCounts();
      return o === null ? [] : [{ interface: p.name, ...o }];
    });
  }

  get lastSeq(): number {
    return this.seq;
  }

  spoolStats() {
    return this.spool.stats();
  }

  /** The PCAP copy of one interface: frames written and dropped, failures, files deleted to make room, the error while failing. */
  pcapStats(name: string): PcapCopyStats {
    const s = this.rotators.get(name)?.stats();
    return s
      ? {
          written: s.written,
          dropped: s.dropped,
          writeErrors: s.writeErrors,
          filesDeletedForSpace: s.filesDeletedForSpace,
          failing: s.failing,
        }
      : { written: 0, dropped: 0, writeErrors: 0, filesDeletedForSpace: 0, failing: null };
  }

  private sources(): PacketSource[] {
    const c = this.config.capture;
    if (c.pcap !== undefined) {
      // A replay waits for the publisher instead of letting the spool overflow (a live capture cannot wait).
      const backpressure = () =>
        this.publisher.backlog() >= REPLAY_BACKLOG ? this.publisher.whenBacklogBelow(REPLAY_BACKLOG / 2) : null;
      return [new FileReplay({ path: c.pcap, speed: c.speed, backpressure })];
    }
    return c.interfaces.map(
      (device) =>
        new LiveCapture({
          device,
          filter: c.filter,
          snaplen: c.snaplen,
          promiscuous: c.promiscuous,
          bufferSizeMb: c.bufferMb,
        }),
    );
  }

  private rotatorFor(name: string): PcapRotator | undefined {
    const w = this.config.writePcap;
    if (w.dir === undefined) return undefined;
    const rotator = new PcapRotator({
      dir: w.dir,
      prefix: `${this.config.id}-${basename(name).replace(/[^A-Za-z0-9_.-]/g, '_')}`,
      rotateMb: w.rotateMb,
      keep: w.keep,
      // Once per run of failures from the rotator, and at most once per 10 s here: a full disk cycles between failing and freeing room.
      onError: (error: Error) =>
        this.repeating(
          'warn',
          { err: error.message, interface: name, ...this.pcapStats(name), dir: w.dir },
          'writing the PCAP copy failed; capture goes on',
        ),
    });
    this.rotators.set(name, rotator);
    return rotator;
  }

  private publishInterval(interval: ClosedInterval): void {
    const seq = ++this.seq;
    const message = buildSummaryMessage(interval.summarizer, {
      sensor: this.config.id,
      run: this.run,
      seq,
      interface: interval.interface,
      start: interval.start,
      end: interval.end,
      emitted: Date.now(),
      kernelDropped: interval.kernelDropped,
      late: interval.late,
    });
    this.restart?.annotate(message);
    this.summaries++;
    const packets = interval.summarizer.counters.packets;
    void this.publisher.enqueue(encodeMessage(message), `${this.config.id}-${this.run}-${seq}`).then((spooled) => {
      this.onSpooled(spooled, packets);
      // After the append: a kill in between counts the interval as unpublished twice over, never as nothing.
      void this.restart?.checkpoint();
    });
  }

  private onClockStep(step: ClockStep): void {
    const fields = {
      interface: step.interface,
      from: new Date(step.from).toISOString(),
      to: new Date(step.to).toISOString(),
    };
    if (step.direction === 'forward') {
      this.repeating(
        'warn',
        { ...fields, skippedIntervals: step.skippedIntervals, skippedSeconds: (step.to - step.from) / 1000 },
        'wall clock stepped forward: the skipped span is one gap, not a summary per interval',
      );
    } else {
      this.repeating(
        'warn',
        { ...fields, steppedBackSeconds: (step.from - step.to) / 1000 },
        'wall clock stepped backward: the open interval was closed early',
      );
    }
  }

  private onSpooled(spooled: boolean, packets: number): void {
    const s = this.spool.stats();
    if (spooled) {
      if (!this.refusing) return;
      this.refusing = false;
      this.log.info(
        { refusedSummaries: this.refused.summaries, droppedDiskFull: s.droppedDiskFull },
        'spool writable again; summaries are spooled and published',
      );
      return;
    }
    this.refused.summaries++;
    this.refused.packets += packets;
    this.refusing = true;
    const diskFull = s.writeError === 'ENOSPC' || s.writeError === 'EDQUOT';
    this.repeating(
      'warn',
      {
        error: s.writeError,
        dir: this.config.spool.dir,
        refusedSummaries: this.refused.summaries,
        refusedPackets: this.refused.packets,
        droppedDiskFull: s.droppedDiskFull,
      },
      diskFull ? 'spool disk full: summary dropped' : 'spool refused a summary: dropped',
    );
  }

  private async connect(): Promise<void> {
    const log = this.log;
    const nats = this.config.nats;
    const nc = await this.link.connect(
      { ...natsOptions(nats), inboxPrefix: nats.inboxPrefix ?? sensorInboxPrefix(this.config.id) },
      this.stopConnecting.signal,
    );
    if (this.closed) {
      await nc.close();
      return;
    }
    this.nc = nc;
    log.info({ servers: nats.servers }, 'connected to NATS');
    this.publisher.attach(nc);
    // Off by default (a sensor's NATS user has no `$JS.API`). Publishing does not wait for it: until
    // a stream takes the subject, summaries stay spooled and are retried.
    if (nats.manageStreams) {
      void ensureStreams(nc, { stream: nats.stream, replicas: nats.replicas }).catch((error: Error) =>
        log.warn({ err: error.message }, 'could not create or update the JetStream stream; publishing anyway'),
      );
    }
  }

  private sendHeartbeat(): void {
    const nc = this.nc;
    if (!nc || nc.isClosed()) {
      this.heartbeatsFailed++;
      return;
    }
    const s = this.spool.stats();
    const message = buildHeartbeat({
      sensor: this.config.id,
      run: this.run,
      started: this.started,
      software: SOFTWARE,
      pipelines: this.pipelines,
      pcap: (name) => this.pcapStats(name),
      published: this.publisher.published,
      lastSeq: this.seq,
      publishLagMs: this.publisher.lagMs(),
      spool: s,
    });
    try {
      nc.publish(heartbeatSubject(this.config.id), encodeMessage(message));
    } catch {
      this.heartbeatsFailed++;
    }
  }
}

/**
 * What a failed JetStream publish may mean when no stream takes the subject yet (a sensor started
 * before the collectors and the alerter created it). Inside the streams' account nothing answers, and
 * nats.js says "jetstream is not enabled" (no responders); a sensor in the shipped SENSORS account
 * publishes through a service import, which the server counts as a listener, so it only hears a
 * timeout, and a timeout may as well be a slow or unavailable JetStream: the hint says both.
 */
export function publishHint(error: unknown): { hint?: string } {
  const start =
    'start a collector or the alerter (they create the stream), or let the sensor manage streams (nats.manageStreams, if its NATS user may)';
  if (isNoResponders(error)) return { hint: `no JetStream stream takes this subject: ${start}` };
  if (isTimeout(error)) {
    return {
      hint: `JetStream did not acknowledge in time: either no stream takes this subject yet (${start}), or JetStream is slow or unavailable`,
    };
  }
  return {};
}
