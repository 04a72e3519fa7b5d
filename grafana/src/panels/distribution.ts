import {
  BarGaugeDisplayMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VizOrientation,
} from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as BarGaugeBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import {
  PanelBuilder as PieChartBuilder,
  PieChartLegendOptionsBuilder,
  PieChartLegendValues,
  PieChartType,
} from '@grafana/grafana-foundation-sdk/piechart';
import { framed } from './frame.js';
import { influxql } from '../influxql/dataquery.js';
import { neutral } from './thresholds.js';

interface DistributionSpec {
  title: string;
  description: string;
  unit: string;
  /** One row for the whole range: one series per group (`alias` names them) or one column per slice. */
  query: string;
  alias: string;
  span?: number;
}

export function pieChart(spec: DistributionSpec): PieChartBuilder {
  return framed(new PieChartBuilder(), { ...spec, span: spec.span ?? 8, height: 8 })
    .pieType(PieChartType.Donut)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .legend(
      new PieChartLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Right)
        .showLegend(true)
        .values([PieChartLegendValues.Value, PieChartLegendValues.Percent]),
    )
    .withTarget(influxql(spec.query).alias(spec.alias));
}

export function barGauge(spec: DistributionSpec): BarGaugeBuilder {
  return framed(new BarGaugeBuilder(), { ...spec, span: spec.span ?? 8, height: 8 })
    .min(0)
    .displayMode(BarGaugeDisplayMode.Gradient)
    .orientation(VizOrientation.Horizontal)
    .showUnfilled(true)
    .thresholds(neutral())
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .withTarget(influxql(spec.query).alias(spec.alias));
}
