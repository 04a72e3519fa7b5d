import { GraphDrawStyle } from '@grafana/grafana-foundation-sdk/common';
import { RowBuilder, type Dashboard, type QueryVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { datasourceRef } from '../datasource.js';
import { influxql } from '../influxql/dataquery.js';
import { PER_BUCKET, where } from '../influxql/fragments.js';
import { pieChart } from '../panels/distribution.js';
import { timeseries } from '../panels/timeseries.js';
import { groupBy, keepRowsEqual, rename, sortBy } from '../panels/transformations.js';
import { tagVariable } from '../variables.js';
import { alertAnnotations, wirewatchDashboard } from './common.js';

export const ALERTS_UID = 'wirewatch-alerts';

const SELECTED_RULES = `"rule" =~ /^$rule$/ AND "severity" =~ /^$severity$/`;
const TRANSITION_COLUMNS = `"dedup_key", "rule"::tag, "severity"::tag, "state"::tag, "summary", "value", "threshold", "silenced"`;

function alertTagVariable(name: string, label: string): QueryVariableBuilder {
  return tagVariable(name, label, `SHOW TAG VALUES FROM "alerts" WITH KEY = "${name}"`);
}

export function alerts(): Dashboard {
  return wirewatchDashboard(
    ALERTS_UID,
    'wirewatch — alerts',
    'What the alerter fired and resolved (written to InfluxDB by `wirewatch alerter --influx`).',
  )
    .withVariable(alertTagVariable('rule', 'Rule'))
    .withVariable(alertTagVariable('severity', 'Severity'))
    .annotations(alertAnnotations())
    .withRow(new RowBuilder('Now'))
    .withPanel(firingNow())
    .withRow(new RowBuilder('History'))
    .withPanel(
      timeseries({
        title: 'Transitions',
        description: 'Alert transitions per interval, by state.',
        unit: 'short',
        queries: [
          {
            query: `SELECT count("dedup_key") FROM "alerts" ${where(SELECTED_RULES)} ${PER_BUCKET}, "state" fill(null)`,
            alias: '$tag_state',
          },
        ],
        span: 16,
      }).drawStyle(GraphDrawStyle.Bars),
    )
    .withPanel(
      pieChart({
        title: 'Firing by rule',
        description: 'How often each rule started firing in the time range (repeats of a long incident included).',
        unit: 'short',
        query: `SELECT count("dedup_key") FROM "alerts" ${where(SELECTED_RULES, `"state" = 'firing'`)} GROUP BY "rule"`,
        alias: '$tag_rule',
      }),
    )
    .withPanel(history())
    .build();
}

/**
 * Alerts whose latest transition is "firing". Each transition is a point, so the latest per dedup key
 * is taken in Grafana; the panel looks back 30 days whatever the dashboard's range, so a long incident
 * stays listed.
 */
function firingNow(): TableBuilder {
  const latest: Record<string, string> = {
    Time: 'last',
    rule: 'last',
    severity: 'last',
    state: 'last',
    summary: 'last',
    value: 'last',
    threshold: 'last',
    silenced: 'last',
  };
  return new TableBuilder()
    .title('Firing now')
    .description('Alerts whose latest transition (in the last 30 days) is "firing".')
    .datasource(datasourceRef)
    .span(24)
    .height(8)
    .timeFrom('30d')
    .withTarget(influxql(`SELECT ${TRANSITION_COLUMNS} FROM "alerts" ${where(SELECTED_RULES)}`).asTable())
    .transformations([
      groupBy('dedup_key', latest),
      keepRowsEqual('state (last)', 'firing'),
      sortBy('Time (last)'),
      rename(
        {
          dedup_key: 'Alert',
          'Time (last)': 'Since',
          'rule (last)': 'Rule',
          'severity (last)': 'Severity',
          'summary (last)': 'Summary',
          'value (last)': 'Value',
          'threshold (last)': 'Threshold',
          'silenced (last)': 'Silenced',
        },
        ['state (last)'],
      ),
    ])
    .noValue('Nothing is firing')
    .overrideByName('Since', [{ id: 'unit', value: 'dateTimeFromNow' }])
    .overrideByName('Severity', [
      { id: 'custom.cellOptions', value: { type: 'color-background' } },
      {
        id: 'mappings',
        value: [
          {
            type: 'value',
            options: {
              critical: { color: 'red', index: 0 },
              warning: { color: 'orange', index: 1 },
              info: { color: 'blue', index: 2 },
            },
          },
        ],
      },
    ]);
}

function history(): TableBuilder {
  return new TableBuilder()
    .title('Transitions in the time range')
    .description('Every pending, firing (and repeat) and resolved transition, newest first.')
    .datasource(datasourceRef)
    .span(24)
    .height(10)
    .withTarget(
      influxql(
        `SELECT ${TRANSITION_COLUMNS}, "repeat" FROM "alerts" ${where(SELECTED_RULES)} ORDER BY time DESC LIMIT 1000`,
      ).asTable(),
    )
    .transformations([
      rename({
        dedup_key: 'Alert',
        rule: 'Rule',
        severity: 'Severity',
        state: 'State',
        summary: 'Summary',
        value: 'Value',
        threshold: 'Threshold',
        silenced: 'Silenced',
        repeat: 'Repeat',
      }),
    ])
    .overrideByName('State', [
      { id: 'custom.cellOptions', value: { type: 'color-text' } },
      {
        id: 'mappings',
        value: [
          {
            type: 'value',
            options: {
              firing: { color: 'red', index: 0 },
              resolved: { color: 'green', index: 1 },
              pending: { color: 'orange', index: 2 },
            },
          },
        ],
      },
    ]);
}
