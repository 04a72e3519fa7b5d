/** The chart sections of the report: traffic, protocols, frame sizes, hosts, ports and TCP flags. */
import { PROTOCOL_CLASSES, type AnalysisReport, type HostEntry } from '../schema.js';
import { chartCard, dataTable, legendKey, sizeForBars } from './card.js';
import { escapeHtml } from './escape.js';
import { formatBytes, formatCount, formatPercent } from './format.js';
import { PROTOCOL_CLASS_LABELS } from './labels.js';

export function trafficCard(report: AnalysisReport): string {
  const hasData = report.timeline.some((row) => row.packets > 0);
  const tools = `<div class="toggle" role="group" aria-label="Traffic metric">
    <button type="button" data-metric="bytes" aria-pressed="true">Bytes</button>
    <button type="button" data-metric="packets" aria-pressed="false">Packets</button>
  </div>`;
  return chartCard({
    id: 'traffic',
    title: 'Traffic over time',
    subtitle: `Per ${report.interval_seconds} s interval, stacked by protocol class · times in UTC`,
    wide: true,
    chart: hasData
      ? { id: 'traffic', label: 'Stacked area chart of traffic per interval by protocol', size: 'm' }
      : null,
    empty: 'No packets in this capture.',
    tools: hasData ? tools : '',
  });
}

export function protocolsCard(report: AnalysisReport): string {
  const present = PROTOCOL_CLASSES.filter((c) => report.protocols[c].packets > 0);
  const totalBytes = present.reduce((s, c) => s + report.protocols[c].bytes, 0);
  const rows = present
    .map((c) => {
      const p = report.protocols[c];
      return `<tr><th scope="row">${legendKey(`sw-${c}`, PROTOCOL_CLASS_LABELS[c])}</th><td class="num">${formatCount(p.packets)}</td><td class="num">${formatBytes(p.bytes)}</td><td class="num">${formatPercent(p.bytes, totalBytes)}</td></tr>`;
    })
    .join('\n');
  const aside = `<table class="plain compact"><thead><tr><th scope="col">Class</th><th scope="col" class="num">Packets</th><th scope="col" class="num">Bytes</th><th scope="col" class="num">Share</th></tr></thead><tbody>
${rows}
</tbody></table>`;
  return chartCard({
    id: 'protocols',
    title: 'Protocol mix',
    subtitle: 'Share of bytes by protocol class',
    chart:
      present.length > 0 ? { id: 'protocols', label: 'Doughnut chart of bytes by protocol class', size: 's' } : null,
    empty: 'No packets in this capture.',
    ...(present.length > 0 ? { aside } : {}),
  });
}

function sizeLabel(le: number | null, previous: number | null): string {
  if (le === null) return previous === null ? 'any' : `> ${previous}`;
  return previous === null ? `≤ ${le}` : `${previous + 1}–${le}`;
}

export function sizesCard(report: AnalysisReport): string {
  const buckets = report.packet_sizes;
  const total = buckets.reduce((s, b) => s + b.packets, 0);
  const rows = buckets.map((b, i) => [
    sizeLabel(b.le, i > 0 ? (buckets[i - 1]?.le ?? null) : null),
    formatCount(b.packets),
    formatPercent(b.packets, total),
  ]);
  return chartCard({
    id: 'sizes',
    title: 'Frame sizes',
    subtitle: 'Packets per frame-length bucket (bytes on the wire)',
    chart: total > 0 ? { id: 'sizes', label: 'Histogram of frame lengths', size: 's' } : null,
    empty: 'No packets in this capture.',
    footer:
      total > 0
        ? dataTable(
            'Bucket counts',
            [{ label: 'Length (B)' }, { label: 'Packets', numeric: true }, { label: 'Share', numeric: true }],
            rows,
          )
        : '',
  });
}

function hostCard(id: 'sources' | 'destinations', hosts: HostEntry[], known: number, exact: boolean): string {
  const noun = id === 'sources' ? 'source' : 'destination';
  const of = `${exact ? '' : '≈ '}${formatCount(known)}`;
  return chartCard({
    id,
    title: id === 'sources' ? 'Top sources' : 'Top destinations',
    subtitle: `Bytes ${id === 'sources' ? 'sent' : 'received'} · top ${hosts.length} of ${of} ${noun} addresses`,
    chart:
      hosts.length > 0 ? { id, label: `Bar chart of bytes by ${noun} address`, size: sizeForBars(hosts.length) } : null,
    empty: `No ${noun} addresses in this capture.`,
    footer: dataTable(
      'Addresses',
      [{ label: 'Address' }, { label: 'Packets', numeric: true }, { label: 'Bytes', numeric: true }],
      hosts.map((h) => [h.ip, formatCount(h.packets), formatBytes(h.bytes)]),
    ),
  });
}

export function sourcesCard(report: AnalysisReport): string {
  return hostCard('sources', report.top_sources, report.cardinalities.sources, report.cardinalities.exact);
}

export function destinationsCard(report: AnalysisReport): string {
  return hostCard(
    'destinations',
    report.top_destinations,
    report.cardinalities.destinations,
    report.cardinalities.exact,
  );
}

export function portsCard(report: AnalysisReport): string {
  const ports = report.top_ports;
  return chartCard({
    id: 'ports',
    title: 'Top ports',
    subtitle: 'Bytes per service port (the lower port of each flow)',
    chart:
      ports.length > 0
        ? { id: 'ports', label: 'Bar chart of bytes by transport port', size: sizeForBars(ports.length) }
        : null,
    empty: 'No TCP or UDP traffic in this capture.',
    tools:
      ports.length > 0 ? `<div class="legend">${legendKey('sw-tcp', 'TCP')}${legendKey('sw-udp', 'UDP')}</div>` : '',
    footer: dataTable(
      'Port counts',
      [{ label: 'Port' }, { label: 'Packets', numeric: true }, { label: 'Bytes', numeric: true }],
      ports.map((p) => [`${p.port}/${p.transport}`, formatCount(p.packets), formatBytes(p.bytes)]),
    ),
  });
}

export function tcpFlagsCard(report: AnalysisReport): string {
  const f = report.tcp_flags;
  const any = Object.values(f).some((n) => n > 0);
  const stat = (label: string, value: string, title: string) =>
    `<div class="mini" title="${escapeHtml(title)}"><span>${escapeHtml(label)}</span><strong>${escapeHtml(value)}</strong></div>`;
  const footer = any
    ? `<div class="minis">
  ${stat('SYN', formatCount(f.syn), 'Connection attempts (SYN without ACK)')}
  ${stat('SYN-ACK / SYN', f.syn > 0 ? formatPercent(f.syn_ack, f.syn) : '–', 'Share of connection attempts answered')}
  ${stat('RST', formatCount(f.rst), 'Resets')}
  ${stat('FIN', formatCount(f.fin), 'Orderly closes')}
</div>`
    : '';
  return chartCard({
    id: 'tcp-flags',
    title: 'TCP flags',
    subtitle: 'Packets with each flag set · logarithmic scale',
    chart: any ? { id: 'tcp-flags', label: 'Bar chart of TCP flag counts', size: 's' } : null,
    empty: 'No TCP traffic in this capture.',
    footer,
  });
}
