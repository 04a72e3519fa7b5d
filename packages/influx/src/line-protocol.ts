/**
 * InfluxDB line protocol, written by hand because the collector formats hundreds of thousands of
 * lines a second: escaping rules from the line protocol reference (measurement: comma, space; tag
 * keys/values: comma, equals, space; string fields: double quote, backslash).
 */
export function escapeMeasurement(name: string): string {
  return /[, \\\n]/.test(name) ? name.replace(/[\\, ]/g, '\\$&').replace(/\n/g, '\\n') : name;
}

export function escapeTag(value: string): string {
  return /[,= \\\n]/.test(value) ? value.replace(/[\\,= ]/g, '\\$&').replace(/\n/g, '\\n') : value;
}

export function escapeStringField(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')}"`;
}

/** Builds one line: `measurement,tag=v field=1,other="x" <ms>`. Empty tag values are left out (InfluxDB refuses them). */
export function line(measurement: string, tags: string, fields: string, timestampMs: number): string {
  return `${measurement}${tags} ${fields} ${timestampMs}`;
}

/** `,k=v,k2=v2` for the given tags, already sorted by key (what InfluxDB stores anyway). */
export function tagSet(tags: ReadonlyArray<readonly [string, string]>): string {
  let out = '';
  for (const [k, v] of tags) if (v !== '') out += `,${k}=${escapeTag(v)}`;
  return out;
}

/**
 * Numeric fields as floats (no `i` suffix): one type per field forever, so no field-type conflicts.
 * Field names must be plain identifiers (letters, digits, `_`): ours are fixed, or validated by the
 * message schema, so they are not escaped here (this runs for every point the collector writes).
 */
export function numberFields(fields: ReadonlyArray<readonly [string, number]>): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const v = fields[i][1];
    if (!Number.isFinite(v)) continue;
    out += out === '' ? `${fields[i][0]}=${v}` : `,${fields[i][0]}=${v}`;
  }
  return out;
}
