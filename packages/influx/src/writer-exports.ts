export {
  apiForVersion,
  detectInfluxApi,
  InfluxUnreachableError,
  type DetectOptions,
  type InfluxApi,
} from './detect-api.js';
export {
  createInfluxWriter,
  type InfluxWriter,
  type InfluxWriterStats,
  type WriteCallOptions,
} from './influx-writer.js';
export {
  InfluxWriteError,
  dataRefusalKind,
  isDataRefusal,
  type DataRefusalKind,
  type InfluxWriteErrorKind,
} from './write-errors.js';
export type { InfluxWriterOptions, RetryEvent } from './writer-options.js';
