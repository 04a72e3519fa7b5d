/** Markup building blocks shared by the report sections: a card holding one chart, and a data table. */
import { escapeHtml } from './escape.js';

/** Every chart the page can draw; each canvas carries its id in `data-chart`, client.js has a builder per id. */
export type ChartId =
  'traffic' | 'protocols' | 'sizes' | 'sources' | 'destinations' | 'ports' | 'tcp-flags' | 'dns-names';

export interface ChartSlot {
  id: ChartId;
  /** Accessible description of the chart. */
  label: string;
  /** Height class: s 240px, m 320px, l 420px. */
  size: 's' | 'm' | 'l';
}

export interface CardOptions {
  id: string;
  title: string;
  subtitle: string;
  wide?: boolean;
  /** The chart, or null when the section has no data; `empty` is shown instead. */
  chart: ChartSlot | null;
  empty: string;
  /** Controls or a legend at the right of the title. */
  tools?: string;
  /** Markup beside the chart (a split layout on wide screens). */
  aside?: string;
  /** Markup after the chart, typically a `dataTable`. */
  footer?: string;
}

/** Height class for a horizontal bar chart with `n` bars. */
export function sizeForBars(n: number): ChartSlot['size'] {
  return n <= 6 ? 's' : n <= 12 ? 'm' : 'l';
}

export function chartCard(o: CardOptions): string {
  const body = o.chart
    ? `<div class="chart-box size-${o.chart.size}"><canvas data-chart="${o.chart.id}" role="img" aria-label="${escapeHtml(o.chart.label)}"></canvas></div>`
    : `<p class="empty" data-empty="${escapeHtml(o.id)}">${escapeHtml(o.empty)}</p>`;
  const main = o.aside
    ? `<div class="split"><div class="split-main">${body}</div><div class="split-aside">${o.aside}</div></div>`
    : body;
  return `<section class="card${o.wide ? ' wide' : ''}" id="${escapeHtml(o.id)}">
  <div class="card-head">
    <div><h2>${escapeHtml(o.title)}</h2><p class="sub">${escapeHtml(o.subtitle)}</p></div>
    ${o.tools ?? ''}
  </div>
  ${main}
  ${o.footer ?? ''}
</section>`;
}

export interface Column {
  label: string;
  numeric?: boolean;
}

/** A collapsed table of the values behind a chart; cells are escaped here. */
export function dataTable(summary: string, columns: Column[], rows: (string | number)[][]): string {
  if (rows.length === 0) return '';
  const head = columns
    .map((c) => `<th scope="col"${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`)
    .join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((cell, i) => `<td${columns[i]?.numeric ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<details class="data">
  <summary>${escapeHtml(summary)}</summary>
  <div class="table-scroll"><table class="plain"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></div>
</details>`;
}

/** A coloured legend key; `swatch` names a CSS class such as `sw-tcp`. */
export function legendKey(swatch: string, label: string): string {
  return `<span class="key"><span class="swatch ${escapeHtml(swatch)}"></span>${escapeHtml(label)}</span>`;
}
