/** Keys whose values are never logged or shown: password, token, secret, authorization, creds and their variants. */
const SECRET_KEY =
  /passw(or)?d|passphrase|^pass$|token|secret|authori[sz]ation|creds|credential|api[-_]?key|private[-_]?key|cookie/i;

export const REDACTED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

const MAX_DEPTH = 8;

/**
 * `value` with every property whose key looks secret replaced by `[redacted]`, at any depth of plain
 * objects and arrays. Copies only what it changes; returns `value` itself when nothing is secret.
 * Objects nested deeper than 8 levels are replaced whole, so a secret cannot hide down there.
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, 0) as T;
}

function redact(value: unknown, depth: number): unknown {
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return REDACTED;
    const items: readonly unknown[] = value;
    let copy: unknown[] | undefined;
    items.forEach((item, i) => {
      const redacted = redact(item, depth + 1);
      if (redacted !== item) (copy ??= [...items])[i] = redacted;
    });
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const redacted = isSecretKey(key) && item !== undefined && item !== null ? REDACTED : redact(item, depth + 1);
    if (redacted !== item) (copy ??= { ...value })[key] = redacted;
  }
  return copy ?? value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
