export { connectNats, describeNatsError, type ConnectOptions, type NatsOptions } from './connection.js';
export {
  APPLY_STREAMS_HINT,
  applyStreams,
  applyStreamsFailure,
  ensureStreams,
  streamDifferences,
  streamSettings,
  type AppliedStream,
  type StreamOptions,
  type StreamSettings,
  type StreamWarnLog,
} from './streams.js';
export {
  DEFAULT_MAX_DELIVER,
  ensureDurableConsumer,
  runBatchConsumer,
  type BatchConsumerOptions,
  type DurableConsumerOptions,
} from './consumer.js';
export {
  deadLetter,
  maxDeliveriesAdvisorySubject,
  MaxDeliveriesWatcher,
  type MaxDeliveriesWatcherOptions,
} from './dead-letter.js';
export { SpoolPublisher, type PublishSpool, type SpoolPublisherOptions } from './spool-publisher.js';
export {
  durableConsumersSchema,
  leaseSecondsSetting,
  natsConfigSchema,
  natsOptions,
  sensorInboxPrefix,
  type DurableConsumersOptions,
  type NatsConfig,
} from './nats-config.js';
export { LeaderLease, type LeaseOptions } from './leader-lease.js';
export { NatsLink, type LinkLog } from './nats-link.js';
export { JetStreamKeeper, type JetStreamKeeperOptions } from './jetstream-keeper.js';
export { missingResource, type MissingResource } from './missing-resource.js';
export {
  isConsumerNameInUse,
  isInvalidStreamConfig,
  isNoResponders,
  isStreamNameInUse,
  isTimeout,
  isWrongLastSequence,
  jetStreamApiCode,
  permissionViolation,
} from './nats-errors.js';
export { recreateBucketIfMissing } from './kv-bucket.js';
