import type { ReferenceEntry } from './reference.js';

/**
 * A Markdown table of a service's settings: YAML path, environment variable, flag, type and allowed
 * values, default, description. Objects are rows of their own (bold, with their description) ahead
 * of their fields; secrets show both variables and no flag.
 */
export function referenceTable(entries: readonly ReferenceEntry[]): string {
  const rows = [
    '| Setting (YAML path) | Environment | Flag | Type | Default | Description |',
    '|---|---|---|---|---|---|',
  ];
  for (const e of entries) {
    if (e.kind === 'object') {
      rows.push(row([`**${code(e.path)}**`, '', '', '', '', e.description ?? '']));
      continue;
    }
    const env = e.env ? (e.secret && e.envFile ? `${code(e.env)} or ${code(e.envFile)}` : code(e.env)) : 'file only';
    const flag = e.flag ? code(e.flag) : '—';
    const type = e.allowed ? `${e.type}: ${e.allowed}` : e.type;
    const fallback = e.required ? '**required**' : '—';
    const shown =
      e.defaultPhrase !== undefined ? `*${e.defaultPhrase}*` : e.default !== undefined ? code(e.default) : fallback;
    const description = [
      e.description,
      e.secret && e.env ? '**Secret**: no flag; best from a file through the `_FILE` variable.' : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(' ');
    rows.push(row([code(e.path), env, flag, type, shown, description]));
  }
  return `${rows.join('\n')}\n`;
}

function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|').replaceAll('\n', ' ')).join(' | ')} |`;
}

/** Inline code, with enough backticks to hold any in the text. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = fence === '``' ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
