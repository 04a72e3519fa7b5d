import {
  LegendDisplayMode,
  LegendPlacement,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import type { ThresholdsConfigBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { framed } from './frame.js';
import { influxql } from '../influxql/dataquery.js';

export interface TimeseriesSpec {
  title: string;
  description: string;
  unit: string;
  /** InfluxQL, one target each; the legend is `alias` (`$tag_<key>`, `$col`). */
  queries: Array<{ query: string; alias: string }>;
  stacked?: boolean;
  thresholds?: ThresholdsConfigBuilder;
  span?: number;
}

export function timeseries(spec: TimeseriesSpec): TimeseriesBuilder {
  const panel = framed(new TimeseriesBuilder(), { ...spec, span: spec.span ?? 12, height: 8 })
    .min(0)
    .fillOpacity(spec.stacked ? 35 : 10)
    .lineWidth(1)
    .spanNulls(false)
    .legend(
      new VizLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(['mean', 'max']),
    )
    .targets(
      spec.queries.map((q, i) =>
        influxql(q.query)
          .refId(String.fromCharCode(65 + i))
          .alias(q.alias),
      ),
    );
  if (spec.stacked) panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  if (spec.thresholds) panel.thresholds(spec.thresholds);
  return panel;
}
