/**
 * The kit each wirewatch service (sensor, collector, alerter) wires itself with: configuration from
 * file, environment and flags; a JSON logger that never prints secrets; the health, readiness and
 * metrics endpoints; and a clean shutdown on SIGTERM/SIGINT.
 */
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { isSecretKey, redactSecrets, REDACTED } from './redact.js';
export {
  createServiceServer,
  METRICS_PREFIX,
  type BoundAddress,
  type Readiness,
  type ServiceApp,
  type ServiceServer,
  type ServiceServerOptions,
} from './server.js';
export { PUBLIC_ROUTE } from './route-auth.js';
export { onShutdown, type ShutdownOptions } from './shutdown.js';
export { ConfigError } from './config/config-error.js';
export { envNameOf } from './config/env-names.js';
export { configEnvNames, loadConfig, unknownConfigEnv, type LoadConfigOptions } from './config/load-config.js';
export { observeMetric, type Sample } from './observed-metric.js';
export { throttledLog } from './log-throttle.js';
export { configReference, type ReferenceEntry, type ReferenceOptions } from './config/reference.js';
export { referenceTable } from './config/reference-table.js';
export {
  httpConfigSchema,
  LOG_LEVELS,
  logLevelSetting,
  tcpPort,
  type HttpSettingsOptions,
} from './config/service-settings.js';
