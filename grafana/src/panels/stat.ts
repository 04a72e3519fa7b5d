import { BigValueColorMode, BigValueGraphMode, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import type { ThresholdsConfigBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { framed } from './frame.js';
import { influxql } from '../influxql/dataquery.js';
import { neutral } from './thresholds.js';

/** One number over the dashboard's time range: the query returns a single row. */
export function stat(spec: {
  title: string;
  description: string;
  unit: string;
  query: string;
  thresholds?: ThresholdsConfigBuilder;
  span?: number;
}): StatBuilder {
  return framed(new StatBuilder(), { ...spec, span: spec.span ?? 4, height: 4 })
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.Value)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(spec.thresholds ?? neutral())
    .noValue('0')
    .withTarget(influxql(spec.query));
}
