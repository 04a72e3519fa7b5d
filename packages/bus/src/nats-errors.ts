import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { NoRespondersError, PermissionViolationError, TimeoutError } from '@nats-io/transport-node';

/**
 * nats-server's JetStream API error codes (server/errors.json) that nats.js 3.4's `JetStreamApiCodes`
 * has no name for.
 */
const API_CODE = {
  /** "stream name already in use with a different configuration" */
  StreamNameExist: 10058,
  /** "consumer name already in use": two creates racing inside the server (or a cluster). */
  ConsumerNameExist: 10013,
  /** "consumer already exists and is still active" */
  ConsumerExistingActive: 10105,
  /** "consumer already exists": nats-server 2.10+, a create of an existing consumer with another configuration. */
  ConsumerAlreadyExists: 10148,
  /** Every invalid stream configuration, e.g. "stream configuration update can not change RePublish". */
  StreamInvalidConfig: 10052,
} as const;

/**
 * The error and its causes, outermost first: nats.js wraps what the server said (a JetStream publish
 * that found no responders is a `JetStreamNotEnabled` caused by a `RequestError` caused by a
 * `NoRespondersError`; a refused request is a `RequestError` caused by a `PermissionViolationError`).
 */
function* chain(error: unknown): Generator<unknown> {
  for (let e = error, depth = 0; e != null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) yield e;
}

function find<T>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (const e of chain(error)) if (e instanceof type) return e;
  return undefined;
}

/** The JetStream API's `err_code` of what the server refused, or undefined when the server did not answer with one. */
export function jetStreamApiCode(error: unknown): number | undefined {
  return find(error, JetStreamApiError)?.code;
}

/** A stream create found the stream there already with another configuration (another service made it first). */
export function isStreamNameInUse(error: unknown): boolean {
  return jetStreamApiCode(error) === API_CODE.StreamNameExist;
}

/** A consumer create found the consumer there already (another replica made it first). */
export function isConsumerNameInUse(error: unknown): boolean {
  const code = jetStreamApiCode(error);
  return (
    code === API_CODE.ConsumerNameExist ||
    code === API_CODE.ConsumerExistingActive ||
    code === API_CODE.ConsumerAlreadyExists
  );
}

/** A stream update nats-server refuses as an invalid configuration (e.g. a field it cannot change in place). */
export function isInvalidStreamConfig(error: unknown): boolean {
  return jetStreamApiCode(error) === API_CODE.StreamInvalidConfig;
}

/** A compare-and-set write lost: the KV key has another revision than the one expected (created or renewed by someone else). */
export function isWrongLastSequence(error: unknown): boolean {
  const code = jetStreamApiCode(error);
  return (
    code === JetStreamApiCodes.StreamWrongLastSequence || code === JetStreamApiCodes.StreamWrongLastSequenceUnknown
  );
}

/** Nothing answered in time (a request, a JetStream publish, the first connection). */
export function isTimeout(error: unknown): boolean {
  return find(error, TimeoutError) !== undefined;
}

/** Nothing listens on the subject: for a JetStream publish, no stream in the account takes it. */
export function isNoResponders(error: unknown): boolean {
  return find(error, NoRespondersError) !== undefined;
}

/** The server refused a publish or subscription for this user, with the subject it named. */
export function permissionViolation(error: unknown): PermissionViolationError | undefined {
  return find(error, PermissionViolationError);
}
