import { QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceRef } from './datasource.js';

/** A multi-value variable over a tag's values, "All" by default. */
export function tagVariable(name: string, label: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(datasourceRef)
    .query(query)
    .definition(query)
    .multi(true)
    .includeAll(true)
    .current({ text: 'All', value: '$__all', selected: true })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}

/** Every sensor that wrote summaries. */
export function sensorVariable(measurement = 'traffic'): QueryVariableBuilder {
  return tagVariable('sensor', 'Sensor', `SHOW TAG VALUES FROM "${measurement}" WITH KEY = "sensor"`);
}

/** The interfaces of the chosen sensors. */
export function interfaceVariable(): QueryVariableBuilder {
  return tagVariable(
    'interface',
    'Interface',
    'SHOW TAG VALUES FROM "traffic" WITH KEY = "interface" WHERE "sensor" =~ /^$sensor$/',
  );
}
