// Moved to the lab package, which runs the same servers for `pnpm lab`.
export { influxRows, runInfluxQL, type InfluxQueryResponse, type InfluxRow } from '@wirewatch/lab';
