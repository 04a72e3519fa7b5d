export { connectNats, describeNatsError, type ConnectOptions, type NatsOptions } from './connection.js';
export { ensureStreams, type StreamOptions } from './streams.js';
export { ensureDurableConsumer, runBatchConsumer, type BatchConsumerOptions, type DurableConsumerOptions } from './consumer.js';
export { deadLetter } from './dead-letter.js';
export { SpoolPublisher, type PublishSpool, type SpoolPublisherOptions } from './spool-publisher.js';
export { natsConfigSchema, natsOptions, sensorInboxPrefix, type NatsConfig } from './nats-config.js';
export { LeaderLease, type LeaseOptions } from './leader-lease.js';
export { NatsLink, type LinkLog } from './nats-link.js';
