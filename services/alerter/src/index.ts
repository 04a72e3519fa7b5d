export { runAlerter, rulesFile } from './main.js';
export { alerterConfigSchema, type AlerterConfig } from './config.js';
