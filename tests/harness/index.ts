/**
 * Real servers for cross-service tests.
 *
 * When a Docker engine answers, NATS (`nats:2.10-alpine`) and InfluxDB 2 (`influxdb:2.7`) run in
 * containers (testcontainers); otherwise NATS is the local `nats-server` binary, and InfluxDB 2 is
 * unavailable (`startInfluxV2()` resolves null). `influxd` 1.x and `victoria-metrics` are always the
 * local binaries. Every server listens on free loopback ports, keeps its data, configuration and
 * `server.log` in its own temp dir, and is killed when the test process exits.
 *
 * Every handle has `url`, `dir`, `start()` (again: same ports, same data), `stop()` (SIGTERM and wait),
 * `kill()` (SIGKILL and wait), `dispose()` (stop and delete the temp dir) and `logTail()`.
 *
 * ```ts
 * const nats = await startNats({ auth: { token: 's3cret' }, tls: true });   // nats.url, nats.caFile
 * const influx = await startInfluxV1();          // influx.createDatabase('db'), influx.query('SELECT ...', 'db')
 * const vm = await startVictoriaMetrics();       // vm.export('{__name__=~"traffic_.*"}')
 * const influx2 = await startInfluxV2();         // null without Docker
 * await waitFor(() => received.length === 3, { what: 'three messages', timeoutMs: 5_000 });
 * ```
 *
 * VictoriaMetrics as an InfluxDB stand-in: a field becomes metric `<measurement>_<field>`, tags become
 * labels. A string field is not dropped: it is parsed as a number, and a non-numeric string is stored
 * as 0. A malformed line is skipped (logged and counted by VM) while the request still answers 204: a
 * writer cannot see bad data there, only on InfluxDB itself.
 */
export { dockerAvailable } from './docker.js';
export { answers, expectOk } from './http.js';
export { startInfluxV1, type InfluxV1Handle, type InfluxV1Options } from './influx-v1.js';
export { startInfluxV2, type InfluxV2Handle } from './influx-v2.js';
export { influxRows, type InfluxQueryResponse, type InfluxRow } from './influxql.js';
export { startNats, type NatsAuth, type NatsHandle, type NatsOptions } from './nats.js';
export { freePort, freePorts } from './ports.js';
export type { ServerControl } from './server-control.js';
export { mountSmallDisk, type SmallDisk } from './small-disk.js';
export { startVictoriaMetrics, type VictoriaHandle, type VictoriaSeries } from './victoria.js';
export { waitFor, type WaitOptions } from './wait.js';
