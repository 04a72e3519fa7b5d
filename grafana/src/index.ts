/**
 * wirewatch's Grafana dashboards as code (@grafana/grafana-foundation-sdk), with a typed InfluxQL target
 * the SDK lacks. `pnpm wirewatch dashboards` writes them to grafana/dashboards, which Grafana provisions.
 */
export { dashboards, renderDashboards, staleDashboards, writeDashboards } from './generate.js';
export { DATASOURCE_NAME, DATASOURCE_UID } from './datasource.js';
export { influxql, InfluxQLQueryBuilder, type InfluxQLQuery } from './influxql/dataquery.js';
export { ALERTS_UID } from './dashboards/alerts.js';
export { SENSOR_HEALTH_UID } from './dashboards/sensor-health.js';
export { TRAFFIC_OVERVIEW_UID } from './dashboards/traffic-overview.js';
