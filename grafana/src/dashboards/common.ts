import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  TimePickerBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceRef, datasourceVariable } from '../datasource.js';
import { influxql } from '../influxql/dataquery.js';

export const TAG = 'wirewatch';

/** The frame every wirewatch dashboard shares: tag, time range, refresh, links to the others, data source. */
export function wirewatchDashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timepicker(new TimePickerBuilder().refreshIntervals(['10s', '30s', '1m', '5m', '15m']))
    .link(
      new DashboardLinkBuilder('wirewatch')
        .type(DashboardLinkType.Dashboards)
        .tags([TAG])
        .asDropdown(false)
        .includeVars(true)
        .keepTime(true),
    )
    .withVariable(datasourceVariable());
}

/** Alert transitions written by the alerter, drawn on every time axis: firing in red, resolved in green. */
export function alertAnnotations(): AnnotationQueryBuilder[] {
  const transition = (state: 'firing' | 'resolved', color: string) =>
    new AnnotationQueryBuilder()
      .name(`Alerts ${state}`)
      .datasource(datasourceRef)
      .enable(true)
      .iconColor(color)
      .target(
        influxql(
          `SELECT "summary", "rule"::tag, "severity"::tag FROM "alerts" WHERE $timeFilter AND "state" = '${state}'`,
        )
          .refId('Anno')
          .asTable()
          .forAnnotation({ text: 'summary', tags: 'rule,severity' }),
      );
  return [transition('firing', 'red'), transition('resolved', 'green')];
}
