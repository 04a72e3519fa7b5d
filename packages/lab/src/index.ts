/**
 * The lab's building blocks, shared with the test harness: servers run as child processes
 * (restartable, killed with their parent), free ports, polling waits, InfluxQL over HTTP, nats-server
 * and influxd set up on loopback, and the mail catcher and webhook receiver. `pnpm lab` is main.ts.
 */
export * from './http.js';
export * from './influxd.js';
export * from './influxql.js';
export * from './nats-server.js';
export * from './ports.js';
export * from './receivers.js';
export * from './server-control.js';
export * from './spawned-server.js';
export * from './wait.js';
