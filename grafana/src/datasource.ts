import { DatasourceVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** The uid the provisioned data source has (grafana/provisioning/datasources/wirewatch.yaml). */
export const DATASOURCE_UID = 'wirewatch-influxdb';
export const DATASOURCE_NAME = 'wirewatch InfluxDB';

/** Panels name the data source through this variable, so an imported dashboard can point at any InfluxDB. */
export const DATASOURCE_VARIABLE = 'datasource';

export const datasourceRef: DataSourceRef = { type: 'influxdb', uid: `\${${DATASOURCE_VARIABLE}}` };

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('InfluxDB')
    .type('influxdb')
    .current({ text: DATASOURCE_NAME, value: DATASOURCE_UID, selected: true });
}
