import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { datasourceRef } from '../datasource.js';
import { influxql } from '../influxql/dataquery.js';
import { SELECTED_INTERFACES } from '../influxql/fragments.js';
import { badAbove } from './thresholds.js';
import { groupBy, limit, rename, sortBy } from './transformations.js';

/** Sources trying many ports or hosts: each source's widest interval in the time range. */
export function fanoutTable(): TableBuilder {
  return new TableBuilder()
    .title('Scan suspects')
    .description(
      'Sources by the distinct destination ports they sent a SYN without ACK to, and the distinct hosts they tried (SYN or ping), in their widest interval of the range. The default port-scan rule fires above 100 ports.',
    )
    .datasource(datasourceRef)
    .span(12)
    .height(9)
    .withTarget(
      influxql(
        `SELECT "key", "ports", "destinations" FROM "fanout" WHERE $timeFilter AND ${SELECTED_INTERFACES}`,
      ).asTable(),
    )
    .transformations([
      groupBy('key', { ports: 'max', destinations: 'max' }),
      sortBy('ports (max)'),
      limit(10),
      rename({ key: 'Source', 'ports (max)': 'Ports tried', 'destinations (max)': 'Hosts tried' }),
    ])
    .thresholds(badAbove(20, 100))
    .overrideByName('Ports tried', [{ id: 'custom.cellOptions', value: { type: 'color-text' } }])
    .overrideByName('Hosts tried', [{ id: 'custom.cellOptions', value: { type: 'color-text' } }]);
}
