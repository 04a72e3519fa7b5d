export { runAlerter, rulesFile } from './main.js';
export { alerterConfigSchema, type AlerterConfig } from './config.js';
export { Alerter } from './alerter.js';
export { createAlerterServer } from './alerter-server.js';
