/** The report masthead: capture identity, headline figures and capture notes. */
import type { AnalysisReport } from '../schema.js';
import { escapeHtml } from './escape.js';
import { formatBitRate, formatBytes, formatCount, formatDuration, formatPercent, formatTimestamp } from './format.js';

type Tone = 'normal' | 'warn' | 'good';

interface Tile {
  label: string;
  value: string;
  unit?: string;
  hint: string;
  tone?: Tone;
  key: string;
}

function captureSpan(report: AnalysisReport): string {
  const { first_packet: first, last_packet: last, duration_seconds: duration } = report.capture;
  if (first === null || last === null) return 'no packets';
  const from = formatTimestamp(first);
  const to = formatTimestamp(last);
  const end = from.slice(0, 10) === to.slice(0, 10) ? to.slice(11) : to;
  return `${from} → ${end} UTC (${formatDuration(duration)})`;
}

/** Splits "62.0 MB" into the figure and its unit, so the unit can be set smaller. */
function figure(text: string): { value: string; unit: string } {
  const m = /^(.*\d)\s+(\S+)$/.exec(text);
  return m ? { value: m[1] ?? text, unit: m[2] ?? '' } : { value: text, unit: '' };
}

function tiles(report: AnalysisReport): Tile[] {
  const duration = report.capture.duration_seconds;
  const card = report.cardinalities;
  const approx = card.exact ? '' : '≈ ';
  const capturedNote =
    report.captured_bytes < report.bytes ? `${formatBytes(report.captured_bytes)} captured` : 'all bytes captured';
  const errors = report.decode_errors.total;
  const warnings = report.capture.warnings.length + (report.capture.truncated ? 1 : 0);
  return [
    {
      key: 'packets',
      label: 'Packets',
      value: formatCount(report.packets),
      hint: duration > 0 ? `${formatCount(report.packets / duration)} pkts/s average` : '–',
    },
    { key: 'bytes', label: 'Bytes', ...figure(formatBytes(report.bytes)), hint: capturedNote },
    {
      key: 'throughput',
      label: 'Throughput',
      ...(duration > 0 ? figure(formatBitRate((report.bytes * 8) / duration)) : { value: '–' }),
      hint: 'capture average',
    },
    {
      key: 'hosts',
      label: 'Hosts',
      value: `${approx}${formatCount(card.sources)} / ${formatCount(card.destinations)}`,
      hint: 'sources / dests',
    },
    {
      key: 'flows',
      label: 'Flows',
      value: `${approx}${formatCount(card.flows)}`,
      hint: `${approx}${formatCount(card.conversations)} conversations`,
    },
    {
      key: 'decode-errors',
      label: 'Decode errors',
      value: formatCount(errors),
      hint: errors > 0 ? `${formatPercent(errors, report.packets)} of frames` : 'every frame decoded',
      tone: errors > 0 ? 'warn' : 'good',
    },
    {
      key: 'warnings',
      label: 'Warnings',
      value: formatCount(warnings),
      hint: warnings > 0 ? 'see capture notes' : 'none',
      tone: warnings > 0 ? 'warn' : 'good',
    },
  ];
}

function renderTile(t: Tile): string {
  const unit = t.unit ? ` <small>${escapeHtml(t.unit)}</small>` : '';
  return `<div class="tile tone-${t.tone ?? 'normal'}" data-kpi="${t.key}">
  <div class="tile-label">${escapeHtml(t.label)}</div>
  <div class="tile-value">${escapeHtml(t.value)}${unit}</div>
  <div class="tile-hint">${escapeHtml(t.hint)}</div>
</div>`;
}

function renderNotes(report: AnalysisReport): string {
  const items: string[] = [];
  if (report.capture.truncated) {
    items.push('<li>The file ends inside a record; the report covers every complete record.</li>');
  }
  for (const warning of report.capture.warnings) items.push(`<li>${escapeHtml(warning)}</li>`);
  const reasons = Object.entries(report.decode_errors.by_reason).sort((a, b) => b[1] - a[1]);
  if (report.decode_errors.total > 0) {
    const chips = reasons
      .map(([reason, n]) => `<span class="chip"><code>${escapeHtml(reason)}</code> × ${formatCount(n)}</span>`)
      .join(' ');
    items.push(
      `<li>${formatCount(report.decode_errors.total)} frames could not be fully decoded; they count in the totals but not in deeper layers. ${chips}</li>`,
    );
  }
  if (items.length === 0) return '';
  return `<section class="notes" aria-label="Capture notes">
  <h2>Capture notes</h2>
  <ul>${items.join('\n')}</ul>
</section>`;
}

export function renderHeader(report: AnalysisReport): string {
  const c = report.capture;
  const meta = [c.format, ...c.link_types, captureSpan(report)].map(escapeHtml).join('<span class="sep">·</span>');
  return `<header class="masthead">
  <div class="wrap">
    <div class="brand"><span class="logo" aria-hidden="true"></span>wirewatch <span>traffic report</span></div>
    <h1 class="file" title="${escapeHtml(c.file)}">${escapeHtml(c.file)}</h1>
    <p class="meta">${meta}</p>
  </div>
</header>
<div class="wrap">
<section class="tiles" aria-label="Summary">
${tiles(report).map(renderTile).join('\n')}
</section>
${renderNotes(report)}
</div>`;
}
