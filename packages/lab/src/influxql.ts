/** The JSON an InfluxQL `/query` answers (InfluxDB 1.x, and 2.x/3.x through DBRP). */
export interface InfluxQueryResponse {
  results: {
    statement_id: number;
    error?: string;
    series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
  }[];
  error?: string;
}

export type InfluxRow = Record<string, unknown> & { measurement: string };

/** Every row of every series of the first statement, as objects (tags of GROUP BY merged in). */
export function influxRows(response: InfluxQueryResponse): InfluxRow[] {
  const series = response.results[0]?.series ?? [];
  return series.flatMap(({ name, tags = {}, columns, values }) =>
    values.map((value) => ({
      measurement: name,
      ...tags,
      ...Object.fromEntries(columns.map((column, i) => [column, value[i]])),
    })),
  );
}

/** Runs InfluxQL over HTTP; throws one line on an HTTP error or a statement error. */
export async function runInfluxQL(
  baseUrl: string,
  influxql: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<InfluxQueryResponse> {
  const body = new URLSearchParams({ q: influxql, epoch: 'ms', ...params });
  const response = await fetch(`${baseUrl}/query`, {
    method: 'POST',
    body,
    headers,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let parsed: InfluxQueryResponse;
  try {
    parsed = JSON.parse(text) as InfluxQueryResponse;
  } catch {
    throw new Error(`InfluxQL "${influxql}": HTTP ${response.status}: ${text.trim().slice(0, 300)}`);
  }
  const error = parsed.error ?? parsed.results?.find((result) => result.error)?.error;
  if (!response.ok || error) throw new Error(`InfluxQL "${influxql}": ${error ?? `HTTP ${response.status}`}`);
  return parsed;
}
