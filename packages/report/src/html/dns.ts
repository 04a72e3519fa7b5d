/** The DNS section: message counts, response codes, query types and the most queried names. */
import type { AnalysisReport } from '../schema.js';
import { chartCard, dataTable, sizeForBars } from './card.js';
import { escapeHtml } from './escape.js';
import { formatCount, formatPercent } from './format.js';

function breakdown(title: string, counts: Record<string, number>, highlight?: string): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return '';
  const total = entries.reduce((s, [, n]) => s + n, 0);
  const items = entries
    .map(
      ([k, n]) =>
        `<li${k === highlight && n > 0 ? ' class="hot"' : ''}><code>${escapeHtml(k)}</code><span>${formatCount(n)}</span><small>${formatPercent(n, total)}</small></li>`,
    )
    .join('');
  return `<div class="breakdown"><h3>${escapeHtml(title)}</h3><ul>${items}</ul></div>`;
}

export function dnsCard(report: AnalysisReport): string {
  const dns = report.dns;
  const hasDns = dns.queries + dns.responses > 0;
  const names = dns.top_names;
  const big = (label: string, value: string, hint: string, hot = false) =>
    `<div class="stat${hot ? ' hot' : ''}"><span>${escapeHtml(label)}</span><strong>${escapeHtml(value)}</strong><small>${escapeHtml(hint)}</small></div>`;
  const unanswered = Math.max(0, dns.queries - dns.responses);
  const aside = hasDns
    ? `<div class="stats">
  ${big('Queries', formatCount(dns.queries), `${formatCount(unanswered)} without a response`)}
  ${big('Responses', formatCount(dns.responses), `${formatPercent(dns.responses, dns.queries)} of queries`)}
  ${big('NXDOMAIN', formatCount(dns.nxdomain), `${formatPercent(dns.nxdomain, dns.responses)} of responses`, dns.nxdomain > 0)}
</div>
${breakdown('Response codes', dns.rcodes, 'NXDOMAIN')}
${breakdown('Query types', dns.qtypes)}`
    : undefined;
  return chartCard({
    id: 'dns',
    title: 'DNS',
    subtitle: hasDns ? `Most queried names · top ${names.length}` : 'Queries and responses on UDP port 53',
    wide: true,
    chart:
      hasDns && names.length > 0
        ? { id: 'dns-names', label: 'Bar chart of the most queried DNS names', size: sizeForBars(names.length) }
        : null,
    empty: hasDns ? 'No DNS query names in this capture (responses only).' : 'No DNS traffic in this capture.',
    ...(aside ? { aside } : {}),
    footer: dataTable(
      'Query names',
      [{ label: 'Name' }, { label: 'Queries', numeric: true }],
      names.map((n) => [n.name, formatCount(n.queries)]),
    ),
  });
}
