/**
 * What a service said last, in one short line: its one-line fatal error (`wirewatch: ...` on stderr)
 * if it printed one, else the message (and error) of its last JSON log line, else its last line.
 */
export function lastWords(logTail: string, max = 200): string {
  const lines = logTail.split('\n').filter((l) => l.trim() !== '');
  const fatal = lines.findLast((l) => l.startsWith('wirewatch: '));
  let words = fatal?.slice('wirewatch: '.length);
  if (words === undefined) {
    const last = lines.at(-1) ?? '(no output)';
    try {
      const entry = JSON.parse(last) as { msg?: unknown; err?: unknown };
      words = [entry.msg, entry.err].filter((w) => typeof w === 'string').join(': ') || last;
    } catch {
      words = last;
    }
  }
  return words.length > max ? `${words.slice(0, max - 1)}…` : words;
}
