import type { Setting } from './schema-tree.js';

/**
 * The environment variable for a setting: the prefix, then each key of its path in UPPER_SNAKE_CASE
 * (camelCase split at each capital, anything not a letter or digit becoming `_`), joined with `_`:
 *   nats.url → WIREWATCH_NATS_URL     spool.maxBytes → WIREWATCH_SPOOL_MAX_BYTES
 *   influx.org_id → WIREWATCH_INFLUX_ORG_ID
 * Variables are matched against these names, never split at `_`, so keys containing `_` work.
 * `<NAME>_FILE` names a file whose contents (without trailing newlines) are the value: for secrets.
 */
export function envNameOf(prefix: string, path: readonly string[]): string {
  return prefix + path.map(snakeUpper).join('_');
}

function snakeUpper(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

export interface EnvBinding {
  setting: Setting;
  /** The variable holding the value itself. */
  name: string;
  /** The variable naming a file that holds the value; absent when another setting's name is this. */
  fileName?: string;
}

/**
 * Environment names for every setting.
 * @throws Error when two settings would share a name: a schema to fix, not a user error.
 */
export function envBindings(settings: readonly Setting[], prefix: string): EnvBinding[] {
  const byName = new Map<string, Setting>();
  for (const setting of settings) {
    const name = envNameOf(prefix, setting.path);
    const other = byName.get(name);
    if (other)
      throw new Error(
        `config schema: settings ${other.path.join('.')} and ${setting.path.join('.')} both map to ${name}`,
      );
    byName.set(name, setting);
  }
  return [...byName].map(([name, setting]) => {
    const fileName = `${name}_FILE`;
    return byName.has(fileName) ? { setting, name } : { setting, name, fileName };
  });
}

/**
 * Variables with the prefix that name no setting: typos worth a warning at start-up.
 * (Not an error: one environment is often shared by several services with different settings.)
 */
export function unknownEnvNames(
  bindings: readonly EnvBinding[],
  env: Record<string, string | undefined>,
  prefix: string,
  ignore: readonly string[] = [],
): string[] {
  const known = new Set(ignore);
  for (const binding of bindings) {
    known.add(binding.name);
    if (binding.fileName) known.add(binding.fileName);
  }
  return Object.keys(env)
    .filter((name) => name.startsWith(prefix) && !known.has(name))
    .sort();
}
