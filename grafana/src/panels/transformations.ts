import type { DataTransformerConfig } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * Grafana-side transformations. InfluxQL cannot group by a field, and the top lists keep the address in
 * a field (a tag per address would make a series per address), so the per-range ranking is made in
 * Grafana from the per-interval rank-tagged rows. Output columns of `groupBy` are named
 * "<field> (<calculation>)", which the later steps refer to.
 */
export function groupBy(key: string, aggregate: Record<string, string>): DataTransformerConfig {
  const fields: Record<string, unknown> = { [key]: { operation: 'groupby', aggregations: [] } };
  for (const [field, calculation] of Object.entries(aggregate))
    fields[field] = { operation: 'aggregate', aggregations: [calculation] };
  return { id: 'groupBy', options: { fields } };
}

export function sortBy(field: string, desc = true): DataTransformerConfig {
  return { id: 'sortBy', options: { fields: {}, sort: [{ field, desc }] } };
}

export function limit(rows: number): DataTransformerConfig {
  return { id: 'limit', options: { limitField: rows } };
}

/** Keeps the rows whose `field` equals `value`. */
export function keepRowsEqual(field: string, value: string): DataTransformerConfig {
  return {
    id: 'filterByValue',
    options: {
      type: 'include',
      match: 'any',
      filters: [{ fieldName: field, config: { id: 'equal', options: { value } } }],
    },
  };
}

export function rename(names: Record<string, string>, exclude: string[] = []): DataTransformerConfig {
  return {
    id: 'organize',
    options: { renameByName: names, excludeByName: Object.fromEntries(exclude.map((f) => [f, true])), indexByName: {} },
  };
}
