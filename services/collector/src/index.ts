export { runCollector } from './main.js';
export { Collector } from './collector.js';
export { collectorConfigSchema, type CollectorConfig } from './config.js';
