/**
 * .dockerignore as Docker reads it: patterns in order, Go `filepath.Match` syntax (`*` and `?` stay
 * within one path segment) plus `**` for any number of segments, `!` re-includes, the last pattern
 * that matches wins, and a pattern that matches a directory covers everything under it.
 */
export interface DockerIgnore {
  /** Whether the build context leaves out this path (relative to the context root). */
  ignores(path: string): boolean;
  /** Whether an exception (`!pattern`) may bring back something under this ignored directory. */
  mayReinclude(dir: string): boolean;
}

export function dockerignore(source: string): DockerIgnore {
  const rules = source
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = clean(negate ? l.slice(1).trim() : l);
      return { negate, pattern, regex: new RegExp(`^${toRegex(pattern)}$`) };
    });
  const ignores = (path: string): boolean => {
    const segments = clean(path).split('/');
    let ignored = false;
    for (const rule of rules) {
      for (let n = 1; n <= segments.length; n++) {
        if (rule.regex.test(segments.slice(0, n).join('/'))) {
          ignored = !rule.negate;
          break;
        }
      }
    }
    return ignored;
  };
  const mayReinclude = (dir: string): boolean => {
    const prefix = `${clean(dir)}/`;
    return rules.some((r) => r.negate && (r.pattern.startsWith(prefix) || r.pattern.startsWith('*')));
  };
  return { ignores, mayReinclude };
}

function clean(path: string): string {
  return path
    .replace(/^\.?\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\/{2,}/g, '/');
}

function toRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` or a trailing `**`: any number of segments, none included.
      if (pattern[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}
