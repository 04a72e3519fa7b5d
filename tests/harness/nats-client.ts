export { connect } from '@nats-io/transport-node';
export { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
