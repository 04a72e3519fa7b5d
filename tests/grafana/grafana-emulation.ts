/**
 * What Grafana does around a panel's InfluxQL, re-done here so the committed dashboards can be checked
 * against a real InfluxDB without a Grafana server: template interpolation ($timeFilter, $__interval,
 * multi-value variables), the InfluxDB data source's table format, and the few transformations the
 * dashboards use, with Grafana's semantics (field naming "<field> (<calculation>)", rows in time order).
 * Where Docker answers, tests/grafana/grafana-container.test.ts loads the same files into a real Grafana.
 */
import type { InfluxQueryResponse } from '../harness/index.js';

export interface Scope {
  fromMs: number;
  toMs: number;
  intervalMs: number;
  /** Multi-value variables by name; each becomes `(a|b)` with the values regex-escaped, as Grafana writes it. */
  variables: Record<string, string[]>;
}

const REGEX_SPECIAL = /[\\^$*+?.()|[\]{}/]/g;

function formatInterval(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function interpolate(query: string, scope: Scope): string {
  let out = query
    .replaceAll('$timeFilter', `time >= ${scope.fromMs}ms and time <= ${scope.toMs}ms`)
    .replaceAll('$__interval_ms', String(scope.intervalMs))
    .replaceAll('$__interval', formatInterval(scope.intervalMs));
  for (const [name, values] of Object.entries(scope.variables)) {
    const escaped = values.map((v) => v.replace(REGEX_SPECIAL, '\\$&'));
    out = out.replaceAll(`$${name}`, escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`);
  }
  if (/\$[a-z_]/i.test(out)) throw new Error(`unresolved variable in: ${out}`);
  return out;
}

export type Row = Record<string, unknown>;

export interface Series {
  name: string;
  tags: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export function seriesOf(response: InfluxQueryResponse): Series[] {
  return (response.results[0]?.series ?? []).map((s) => ({
    name: s.name,
    tags: s.tags ?? {},
    columns: s.columns,
    values: s.values,
  }));
}

/** The InfluxDB data source's "table" format: one table, a "Time" column, GROUP BY tags as columns. */
export function asTable(series: Series[]): Row[] {
  return series.flatMap((s) =>
    s.values.map((value) => {
      const row: Row = { ...s.tags };
      s.columns.forEach((column, i) => (row[column === 'time' ? 'Time' : column] = value[i]));
      return row;
    }),
  );
}

/** A time series' values of one column (nulls dropped: fill(null) buckets without data). */
export function columnValues(s: Series, column: string): number[] {
  const i = s.columns.indexOf(column);
  return s.values.map((v) => v[i]).filter((v): v is number => typeof v === 'number');
}

export interface Transformation {
  id: string;
  options: Record<string, unknown>;
}

const CALCULATIONS: Record<string, (values: unknown[]) => unknown> = {
  sum: (v) => v.reduce<number>((a, x) => a + (typeof x === 'number' ? x : 0), 0),
  max: (v) => Math.max(...v.filter((x): x is number => typeof x === 'number')),
  last: (v) => v.at(-1),
};

export function transform(rows: Row[], transformations: Transformation[]): Row[] {
  let out = rows;
  for (const t of transformations) {
    const o = t.options;
    switch (t.id) {
      case 'groupBy': {
        const fields = o.fields as Record<string, { operation: string; aggregations: string[] }>;
        const keys = Object.entries(fields)
          .filter(([, f]) => f.operation === 'groupby')
          .map(([name]) => name);
        const groups = new Map<string, Row[]>();
        for (const row of out) {
          const k = JSON.stringify(keys.map((key) => row[key]));
          groups.set(k, [...(groups.get(k) ?? []), row]);
        }
        out = [...groups.values()].map((members) => {
          const row: Row = Object.fromEntries(keys.map((key) => [key, members[0][key]]));
          for (const [name, f] of Object.entries(fields)) {
            if (f.operation !== 'aggregate') continue;
            for (const calc of f.aggregations)
              row[`${name} (${calc})`] = CALCULATIONS[calc](members.map((m) => m[name]));
          }
          return row;
        });
        break;
      }
      case 'sortBy': {
        const { field, desc } = (o.sort as Array<{ field: string; desc: boolean }>)[0];
        out = [...out].sort((a, b) => (Number(a[field]) - Number(b[field])) * (desc ? -1 : 1));
        break;
      }
      case 'limit':
        out = out.slice(0, o.limitField as number);
        break;
      case 'filterByValue': {
        const filters = o.filters as Array<{ fieldName: string; config: { id: string; options: { value: unknown } } }>;
        out = out.filter((row) =>
          filters.some((f) => f.config.id === 'equal' && row[f.fieldName] === f.config.options.value),
        );
        break;
      }
      case 'organize': {
        const rename = (o.renameByName ?? {}) as Record<string, string>;
        const exclude = (o.excludeByName ?? {}) as Record<string, boolean>;
        out = out.map((row) =>
          Object.fromEntries(
            Object.entries(row)
              .filter(([k]) => !exclude[k])
              .map(([k, v]) => [rename[k] ?? k, v]),
          ),
        );
        break;
      }
      default:
        throw new Error(`transformation ${t.id} is not emulated: add it to tests/grafana/grafana-emulation.ts`);
    }
  }
  return out;
}
