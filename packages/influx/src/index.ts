export * from './writer-exports.js';
export * from './schema-exports.js';
export { influxConfigSchema, influxWriterOptions, type InfluxConfig } from './influx-config.js';
