/** How wirewatch's HTTP clients (InfluxDB writes, webhooks) wait between attempts. */
export { backoffDelay, pauseUnlessAborted, sleepUnlessAborted, type BackoffOptions } from './backoff.js';
export { parseRetryAfter } from './retry-after.js';
