/** Measurement names of the schema in docs/influxdb-schema.md. */
export const MEASUREMENT = {
  traffic: 'traffic',
  protocol: 'protocol',
  top: 'top',
  fleetTop: 'fleet_top',
  fanout: 'fanout',
  dns: 'dns',
  decodeErrors: 'decode_errors',
  sensorHealth: 'sensor_health',
  interfaceHealth: 'sensor_interface_health',
  alerts: 'alerts',
} as const;

/** The top lists written per sensor interval and fleet-wide, each as `rank`-tagged points: the view's (`list` tag values). */
export { TOP_LISTS, type TopListName } from '@wirewatch/traffic';

/** Default length of the written top lists: the `rank` tag runs 1..topN, which bounds the series. */
export const DEFAULT_TOP_N = 10;
