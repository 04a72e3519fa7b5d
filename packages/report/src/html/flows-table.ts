/** The sortable, filterable table of the busiest flows. Sorting and filtering live in client.js. */
import type { AnalysisReport, FlowEntry } from '../schema.js';
import { escapeHtml } from './escape.js';
import { formatBitRate, formatBytes, formatClock, formatCount, formatDuration } from './format.js';
import { ipProtocolName } from './labels.js';

interface FlowColumn {
  key: string;
  label: string;
  numeric: boolean;
  /** Addresses are set in a monospace face. */
  mono?: boolean;
  /** Sort key (numbers sort numerically) and the displayed text. */
  cell: (f: FlowEntry) => { value: number | string; text: string };
}

const port = (p: number) => ({ value: p, text: p > 0 ? String(p) : '–' });

const COLUMNS: FlowColumn[] = [
  {
    key: 'proto',
    label: 'Protocol',
    numeric: false,
    cell: (f) => ({ value: ipProtocolName(f.proto), text: ipProtocolName(f.proto) }),
  },
  { key: 'src', label: 'Source', numeric: false, mono: true, cell: (f) => ({ value: f.src, text: f.src }) },
  { key: 'sport', label: 'Src port', numeric: true, cell: (f) => port(f.sport) },
  { key: 'dst', label: 'Destination', numeric: false, mono: true, cell: (f) => ({ value: f.dst, text: f.dst }) },
  { key: 'dport', label: 'Dst port', numeric: true, cell: (f) => port(f.dport) },
  {
    key: 'packets',
    label: 'Packets',
    numeric: true,
    cell: (f) => ({ value: f.packets, text: formatCount(f.packets) }),
  },
  { key: 'bytes', label: 'Bytes', numeric: true, cell: (f) => ({ value: f.bytes, text: formatBytes(f.bytes) }) },
  {
    key: 'first',
    label: 'First seen',
    numeric: true,
    cell: (f) => ({ value: f.first_seen, text: formatClock(f.first_seen) }),
  },
  {
    key: 'duration',
    label: 'Duration',
    numeric: true,
    cell: (f) => {
      const d = Math.max(0, f.last_seen - f.first_seen);
      return { value: Number(d.toFixed(6)), text: formatDuration(d) };
    },
  },
  {
    key: 'rate',
    label: 'Avg rate',
    numeric: true,
    cell: (f) => {
      const d = f.last_seen - f.first_seen;
      const rate = d > 0 ? (f.bytes * 8) / d : 0;
      return { value: Math.round(rate), text: d > 0 ? formatBitRate(rate) : '–' };
    },
  },
];

function headerCell(c: FlowColumn): string {
  const sort = c.key === 'bytes' ? 'descending' : 'none';
  return `<th scope="col" data-key="${c.key}" data-type="${c.numeric ? 'num' : 'text'}" aria-sort="${sort}"${c.numeric ? ' class="num"' : ''}><button type="button">${escapeHtml(c.label)}<span class="arrow" aria-hidden="true"></span></button></th>`;
}

function row(f: FlowEntry): string {
  const cells = COLUMNS.map((c) => {
    const { value, text } = c.cell(f);
    const cls = c.numeric ? ' class="num"' : c.mono ? ' class="mono"' : '';
    return `<td data-value="${escapeHtml(value)}"${cls}>${escapeHtml(text)}</td>`;
  });
  return `<tr>${cells.join('')}</tr>`;
}

export function flowsCard(report: AnalysisReport): string {
  const flows = report.top_flows;
  const known = `${report.cardinalities.exact ? '' : '≈ '}${formatCount(report.cardinalities.flows)}`;
  const subtitle = `The ${flows.length} busiest of ${known} flows by bytes · times in UTC · the CSV export holds every flow`;
  const body =
    flows.length === 0
      ? '<p class="empty" data-empty="flows">No flows in this capture.</p>'
      : `<div class="table-scroll${flows.length > 30 ? ' tall' : ''}"><table class="flows sortable" id="flows-table">
<thead><tr>${COLUMNS.map(headerCell).join('')}</tr></thead>
<tbody>
${flows.map(row).join('\n')}
</tbody>
</table></div>
<p class="table-status" id="flows-status" aria-live="polite">${flows.length} flows</p>`;
  const tools =
    flows.length === 0
      ? ''
      : `<label class="filter"><span class="visually-hidden">Filter flows</span><input type="search" id="flows-filter" placeholder="Filter by address, port, protocol…" autocomplete="off"></label>`;
  return `<section class="card wide" id="flows">
  <div class="card-head">
    <div><h2>Top flows</h2><p class="sub">${escapeHtml(subtitle)}</p></div>
    ${tools}
  </div>
  ${body}
</section>`;
}
