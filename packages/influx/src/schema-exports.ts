export { MEASUREMENT, TOP_LISTS, DEFAULT_TOP_N, type TopListName } from './schema.js';
export {
  fleetTopLines,
  summaryLines,
  heartbeatLines,
  topLines,
  runOffsetNs,
  timestampNs,
  type SummaryPointMeta,
} from './points.js';
export { alertLine, alertTimestampNs, type AlertPoint } from './alert-points.js';
export { escapeMeasurement, escapeStringField, escapeTag, line, numberFields, tagSet } from './line-protocol.js';
