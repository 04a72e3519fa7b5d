/** JetStream names the services agree on. Deployments may rename them; these are the defaults. */
export const STREAM_NAME = 'WIREWATCH';
export const DEAD_LETTER_STREAM_NAME = 'WIREWATCH_DEADLETTER';
/** The collectors' shared durable consumers (one per message kind: nats-server 2.9 filters on one subject). */
export const COLLECTOR_SUMMARY_CONSUMER = 'collector-summaries';
export const COLLECTOR_HEARTBEAT_CONSUMER = 'collector-heartbeats';
/** Header names beyond JetStream's own `Nats-Msg-Id`. */
export const HEADER_DEAD_LETTER_REASON = 'Wirewatch-Reject-Reason';
export const HEADER_ORIGINAL_SUBJECT = 'Wirewatch-Original-Subject';
