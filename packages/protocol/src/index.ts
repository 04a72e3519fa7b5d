export * from './subjects.js';
export * from './stream.js';
export { PROTOCOL_VERSION, summaryMessageSchema, type SummaryMessage } from './summary-message.js';
export { heartbeatMessageSchema, type HeartbeatMessage } from './heartbeat-message.js';
export { SummarySketches, SketchError, encodeSketches, type TopLists } from './summary-sketches.js';
export {
  buildSummaryMessage,
  decodeHeartbeat,
  decodeSummary,
  decodeSummaryForStorage,
  encodeMessage,
  summaryViewOf,
  type Decoded,
  type DecodedSummary,
  type Rejection,
  type StorageSummary,
  type SummaryMeta,
} from './codec.js';
export { RejectionLog } from './rejection-log.js';
export * from './limits.js';
export { sketchShapeSchema } from './sketch-settings.js';
export {
  DEFAULT_FLEET_LIMITS,
  FleetWindows,
  sketchShape,
  type AddResult,
  type FleetInterval,
  type FleetWindowsLimits,
  type SketchShape,
} from './fleet-windows.js';
export { estimateSketchBytes } from './sketch-size.js';
export { alertMessageSchema, type AlertMessage } from './alert-message.js';
