import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { TableSortByFieldStateBuilder } from '@grafana/grafana-foundation-sdk/common';
import { datasourceRef } from '../datasource.js';
import { influxql } from '../influxql/dataquery.js';
import { groupBy, limit, rename, sortBy } from './transformations.js';

export interface TopTableSpec {
  title: string;
  description: string;
  /** `top` (per sensor interface, filtered by the variables) or `fleet_top` (merged across sensors). */
  measurement: 'top' | 'fleet_top';
  list: 'sources' | 'destinations' | 'conversations' | 'ports' | 'dns_names';
  keyLabel: string;
  /** For DNS names the `packets` field counts queries. */
  countLabel?: string;
  withBytes?: boolean;
  rows?: number;
  span?: number;
}

/** The busiest keys of one top list over the time range: per-interval ranks summed per key, then ranked. */
export function topTable(spec: TopTableSpec): TableBuilder {
  const withBytes = spec.withBytes ?? true;
  const filter = spec.measurement === 'top' ? ` AND "sensor" =~ /^$sensor$/ AND "interface" =~ /^$interface$/` : '';
  const fields = withBytes ? '"key", "bytes", "packets"' : '"key", "packets"';
  const query = `SELECT ${fields} FROM "${spec.measurement}" WHERE $timeFilter AND "list" = '${spec.list}'${filter}`;
  const rankBy = withBytes ? 'bytes (sum)' : 'packets (sum)';
  const aggregate: Record<string, string> = withBytes ? { bytes: 'sum', packets: 'sum' } : { packets: 'sum' };
  const names: Record<string, string> = { key: spec.keyLabel, 'packets (sum)': spec.countLabel ?? 'Packets' };
  if (withBytes) names['bytes (sum)'] = 'Bytes';
  const table = new TableBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(datasourceRef)
    .span(spec.span ?? 8)
    .height(9)
    .withTarget(influxql(query).asTable())
    .transformations([groupBy('key', aggregate), sortBy(rankBy), limit(spec.rows ?? 10), rename(names)])
    .sortBy([new TableSortByFieldStateBuilder().displayName(withBytes ? 'Bytes' : names['packets (sum)']).desc(true)]);
  if (withBytes) table.overrideByName('Bytes', [{ id: 'unit', value: 'decbytes' }]);
  return table;
}
