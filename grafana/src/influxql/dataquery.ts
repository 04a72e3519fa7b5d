import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** How Grafana's InfluxDB data source shapes a result: one series per group, or one table. */
export type InfluxResultFormat = 'time_series' | 'table';

/**
 * A raw InfluxQL target of Grafana's InfluxDB data source, as its query editor saves it in "raw" mode
 * (the foundation SDK has no InfluxDB query type). The `*Column` settings are read only when the query
 * backs an annotation.
 */
export interface InfluxQLQuery extends cog.Dataquery {
  refId: string;
  datasource?: DataSourceRef;
  query: string;
  rawQuery: true;
  resultFormat: InfluxResultFormat;
  alias?: string;
  hide?: boolean;
  fromAnnotations?: boolean;
  textEditor?: boolean;
  textColumn?: string;
  tagsColumn?: string;
  titleColumn?: string;
}

export class InfluxQLQueryBuilder implements cog.Builder<InfluxQLQuery> {
  private readonly internal: InfluxQLQuery;

  constructor(query: string) {
    this.internal = {
      refId: 'A',
      query,
      rawQuery: true,
      resultFormat: 'time_series',
      _implementsDataqueryVariant: () => {},
    };
  }

  build(): InfluxQLQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  datasource(datasource: DataSourceRef): this {
    this.internal.datasource = datasource;
    return this;
  }

  /** Legend text; `$tag_<key>` and `$col` are replaced by Grafana per series. */
  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }

  asTable(): this {
    this.internal.resultFormat = 'table';
    return this;
  }

  /** Maps the result's columns onto an annotation's text and tags. */
  forAnnotation(columns: { text: string; tags?: string; title?: string }): this {
    this.internal.fromAnnotations = true;
    this.internal.textEditor = true;
    this.internal.textColumn = columns.text;
    if (columns.tags) this.internal.tagsColumn = columns.tags;
    if (columns.title) this.internal.titleColumn = columns.title;
    return this;
  }
}

export function influxql(query: string): InfluxQLQueryBuilder {
  return new InfluxQLQueryBuilder(query);
}
