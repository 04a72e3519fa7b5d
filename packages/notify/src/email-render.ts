import type { AlertNotification } from './alert-notification.js';
import { formatValue } from './format-value.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Labels that say where, in the order a subject names them. */
const WHERE_LABELS = ['sensor', 'host', 'instance', 'source'];

/** The e-mail for one notification: a pure function of it (no clock, no I/O). */
export function renderAlertEmail(n: AlertNotification): RenderedEmail {
  const facts = describe(n);
  return { subject: subjectOf(n), text: renderText(n, facts), html: renderHtml(n, facts) };
}

/** `[FIRING critical] high-bandwidth on edge-1` / `[RESOLVED] high-bandwidth on edge-1` */
export function subjectOf(n: AlertNotification): string {
  const tag = n.state === 'firing' ? `[FIRING ${n.severity}]` : '[RESOLVED]';
  const whereLabel = WHERE_LABELS.find((label) => n.labels[label]);
  const where = whereLabel ? ` on ${n.labels[whereLabel]}` : '';
  return singleLine(`${tag} ${n.rule}${where}`);
}

interface Fact {
  label: string;
  value: string;
  href?: string;
}

function describe(n: AlertNotification): Fact[] {
  const value = formatValue(n.value, n.unit);
  const threshold = formatValue(n.threshold, n.unit);
  const duration = formatDuration(Date.parse(n.at) - Date.parse(n.since));
  const facts: Fact[] = [
    { label: 'State', value: n.state === 'firing' ? 'FIRING' : 'RESOLVED' },
    { label: 'Severity', value: n.severity },
    { label: n.state === 'firing' ? 'Value' : 'Last value', value: `${value} (threshold ${threshold})` },
    {
      label: 'Firing since',
      value: `${n.since}${duration ? ` (${duration}${n.state === 'resolved' ? ' in all' : ''})` : ''}`,
    },
    { label: n.state === 'firing' ? 'At' : 'Resolved at', value: n.at },
  ];
  const dashboard = safeLink(n.dashboardUrl);
  if (dashboard) facts.push({ label: 'Dashboard', value: dashboard, href: dashboard });
  else if (n.dashboardUrl) facts.push({ label: 'Dashboard', value: n.dashboardUrl });
  facts.push({ label: 'Dedup key', value: n.dedupKey });
  return facts;
}

function renderText(n: AlertNotification, facts: Fact[]): string {
  const width = Math.max(...facts.map((fact) => fact.label.length)) + 2;
  const lines = [
    `${n.state === 'firing' ? `FIRING ${n.severity}` : 'RESOLVED'}: ${singleLine(n.rule)}`,
    singleLine(n.summary),
    '',
    ...facts.map((fact) => `${`${fact.label}:`.padEnd(width)}${singleLine(fact.value)}`),
    '',
    'Labels:',
    ...sortedLabels(n).map(([key, value]) => `  ${singleLine(key)} = ${singleLine(value)}`),
  ];
  return `${lines.join('\n')}\n`;
}

function renderHtml(n: AlertNotification, facts: Fact[]): string {
  const colour =
    n.state === 'resolved'
      ? '#2e7d32'
      : n.severity === 'critical'
        ? '#c62828'
        : n.severity === 'warning'
          ? '#ef6c00'
          : '#1565c0';
  const row = (label: string, cell: string) =>
    `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${cell}</td></tr>`;
  const factRows = facts.map((fact) =>
    row(
      fact.label,
      fact.href ? `<a href="${escapeHtml(fact.href)}">${escapeHtml(fact.value)}</a>` : escapeHtml(fact.value),
    ),
  );
  const labelRows = sortedLabels(n).map(([key, value]) => row(key, `<code>${escapeHtml(value)}</code>`));
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subjectOf(n))}</title></head>`,
    '<body style="font-family:sans-serif">',
    `<h2 style="color:${colour}">${escapeHtml(n.state === 'firing' ? `FIRING ${n.severity}` : 'RESOLVED')}: ${escapeHtml(n.rule)}</h2>`,
    `<p>${escapeHtml(n.summary)}</p>`,
    `<table>${factRows.join('')}</table>`,
    '<h3>Labels</h3>',
    `<table>${labelRows.join('')}</table>`,
    '</body></html>',
    '',
  ].join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Only http(s) URLs become links: a "javascript:" dashboard URL must not be clickable. */
function safeLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function sortedLabels(n: AlertNotification): [string, string][] {
  return Object.entries(n.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function singleLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}

/** "1h 5m", "12m 30s", "45s"; empty for an unknown or negative span. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const seconds = Math.floor(ms / 1_000);
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor(seconds / 3_600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([amount]) => amount > 0);
  if (first === -1) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([amount]) => amount > 0)
    .map(([amount, suffix]) => `${amount}${suffix}`)
    .join(' ');
}
