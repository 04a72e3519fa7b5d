import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAM_NAME } from '@wirewatch/protocol';
import { ensureDurableConsumer, type DurableConsumerOptions } from './consumer.js';
import { missingResource, type MissingResource } from './missing-resource.js';
import type { LinkLog } from './nats-link.js';
import { ensureStreams, type StreamOptions } from './streams.js';

export interface JetStreamKeeperOptions {
  /** `nats.manageStreams`: whether this service creates missing streams (else it only reports them missing). */
  manageStreams: boolean;
  streams: StreamOptions;
  log: LinkLog & { error(fields: object, message: string): void };
}

/**
 * A service's streams and durable consumers: set up at start, and set up again when a consumer finds
 * them gone (NATS restarted with its JetStream store lost, or someone deleted them). A service that
 * may not manage streams recreates only its consumers, and while the stream is missing says why in
 * `problem` (for /readyz), logged once per cause.
 */
export class JetStreamKeeper {
  /** Why this service cannot consume right now; undefined while its stream and consumers exist. */
  problem: string | undefined;
  /** Times a missing stream or consumer was noticed and everything was set up again. */
  recreated = 0;
  private readonly consumers: DurableConsumerOptions[] = [];
  private jsm: JetStreamManager | undefined;
  private repairing: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: JetStreamKeeperOptions,
  ) {}

  private get stream(): string {
    return this.options.streams.stream ?? STREAM_NAME;
  }

  /**
   * The streams (when managed: created where missing, never changed; a difference from the settings is
   * logged) and the given consumers, created or updated; throws like `ensureStreams`.
   */
  async setUp(consumers: DurableConsumerOptions[]): Promise<JetStreamManager> {
    this.jsm ??= this.options.manageStreams
      ? await ensureStreams(this.nc, this.options.streams, this.options.log)
      : await jetstreamManager(this.nc);
    for (const c of consumers) {
      await ensureDurableConsumer(this.jsm, { stream: this.stream, ...c });
      this.consumers.push(c);
    }
    return this.jsm;
  }

  /**
   * For `runBatchConsumer`'s `onMissing`: sets everything up again (once for any number of consumers
   * noticing at the same time). Never rejects: a failure is kept in `problem`, and the consumer calls
   * again on its next attempt.
   */
  repair = (what: MissingResource, error: Error): Promise<void> => {
    this.repairing ??= this.repairOnce(what, error).finally(() => (this.repairing = undefined));
    return this.repairing;
  };

  private async repairOnce(what: MissingResource, noticed: Error): Promise<void> {
    const names = this.consumers.map((c) => c.name);
    try {
      const jsm = this.options.manageStreams
        ? await ensureStreams(this.nc, this.options.streams, this.options.log)
        : (this.jsm ?? (await jetstreamManager(this.nc)));
      this.jsm = jsm;
      for (const c of this.consumers) await ensureDurableConsumer(jsm, { stream: this.stream, ...c });
    } catch (error) {
      const missing = missingResource(error);
      this.report(
        missing === 'stream' && !this.options.manageStreams
          ? `stream ${this.stream} not found on NATS, and nats.manageStreams is off: a service that manages streams (or an operator) must create it`
          : `cannot recreate stream ${this.stream} and consumers ${names.join(', ')}: ${(error as Error).message}`,
      );
      return;
    }
    this.recreated++;
    this.options.log.warn(
      {
        stream: this.stream,
        consumers: names,
        missing: what,
        noticed: noticed.message,
        manageStreams: this.options.manageStreams,
      },
      `JetStream ${what} was gone (NATS lost its store?): ${this.options.manageStreams ? 'stream and consumers' : 'consumers'} recreated, consuming again`,
    );
    this.report(undefined);
  }

  private report(problem: string | undefined): void {
    if (problem === this.problem) return;
    if (problem) this.options.log.error({ reason: problem }, 'not ready: cannot consume');
    this.problem = problem;
  }
}
