import { readFileSync } from 'node:fs';
import type * as z from 'zod';
import { coerceString } from './coerce.js';
import { ConfigError } from './config-error.js';
import { envBindings, unknownEnvNames, type EnvBinding } from './env-names.js';
import { defaultSkeleton, isPlainObject, lookup, schemaTree, settingsOf, type SchemaNode } from './schema-tree.js';
import { readYamlSource, type YamlSource } from './yaml-source.js';

export interface LoadConfigOptions {
  /** YAML file of settings, nested like the schema. */
  file?: string;
  /** Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Default `WIREWATCH_`. */
  prefix?: string;
  /**
   * Command-line values keyed by setting path (`'nats.url'`); `undefined` values are ignored (an option
   * not given). Strings are converted like environment values.
   */
  flags?: Record<string, unknown>;
  /** How a flag is named in error lines. Default: `nats.url` → `--nats-url`. */
  flagLabel?: (path: string) => string;
}

type Source = { kind: 'file' } | { kind: 'env'; name: string } | { kind: 'flag'; label: string };

/**
 * Loads a service's configuration. Layers, lowest to highest: the schema's defaults, the YAML `file`,
 * environment variables (see `envNameOf` for the naming rule; `<NAME>_FILE` reads a secret from a file;
 * an empty variable counts as unset), then `flags`. Objects merge key by key; lists and other values
 * replace. The result is validated by `schema`.
 *
 * @throws ConfigError listing every problem, one line each, naming the source (`config.yaml:7`,
 *   `WIREWATCH_NATS_URL`, `--nats-url`) and the setting, never the value. Keys in the file or flags that
 *   the schema does not have are problems too (a typo must not be ignored silently).
 * @throws Error if two settings of the schema map to the same environment variable.
 */
export function loadConfig<S extends z.ZodType>(schema: S, options: LoadConfigOptions = {}): z.output<S> {
  const prefix = options.prefix ?? 'WIREWATCH_';
  const env = options.env ?? process.env;
  const flagLabel = options.flagLabel ?? defaultFlagLabel;
  const tree = schemaTree(schema);
  const bindings = envBindings(settingsOf(tree), prefix);
  const layers = new Layers(defaultSkeleton(schema));
  const problems: string[] = [];

  let yaml: YamlSource | undefined;
  if (options.file !== undefined) {
    const result = readYamlSource(options.file);
    if (!result.ok) throw new ConfigError(result.problems);
    yaml = result.source;
    const file = options.file;
    assignTree(layers, tree, [], yaml.value, { kind: 'file' }, (path) => {
      const line = yaml!.lineOf(path);
      problems.push(`${file}${line ? `:${line}` : ''} ${formatPath(path)}: unknown setting`);
    });
  }

  for (const binding of bindings) problems.push(...assignEnv(layers, binding, env));

  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue;
    const label = flagLabel(key);
    const path = key.split('.');
    const found = lookup(tree, path);
    if ('unknownAt' in found) {
      problems.push(`${label} ${key}: unknown setting`);
      continue;
    }
    const leaf = found.node.type === 'leaf' && found.depth === path.length ? found.node : undefined;
    const converted = leaf && typeof value === 'string' && leaf.kind !== 'string' ? coerceString(value, leaf) : value;
    assignTree(layers, found.node, path, converted, { kind: 'flag', label }, (unknown) =>
      problems.push(`${label} ${formatPath(unknown)}: unknown setting`),
    );
  }

  const parsed = schema.safeParse(layers.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
      const source = layers.sourceOf(path);
      const where = source ? describeSource(source.source, path, options.file, yaml) : undefined;
      const missing = !where && issue.code === 'invalid_type' && valueAt(layers.value, path) === undefined;
      const message = missing ? `required; set it in ${requiredHint(path, bindings, options.file)}` : issue.message;
      problems.push(`${where ? `${where} ` : ''}${formatPath(path)}: ${message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return (parsed as { data: z.output<S> }).data;
}

/** Environment variables with the prefix that no setting of `schema` reads (worth a warning). */
export function unknownConfigEnv(
  schema: z.ZodType,
  env: Record<string, string | undefined> = process.env,
  options: { prefix?: string; ignore?: string[] } = {},
): string[] {
  const prefix = options.prefix ?? 'WIREWATCH_';
  return unknownEnvNames(envBindings(settingsOf(schemaTree(schema)), prefix), env, prefix, options.ignore);
}

/** Every setting's dotted path and environment variable, for `--help` and docs. */
export function configEnvNames(schema: z.ZodType, prefix = 'WIREWATCH_'): Array<{ path: string; env: string }> {
  return envBindings(settingsOf(schemaTree(schema)), prefix).map((b) => ({
    path: b.setting.path.join('.'),
    env: b.name,
  }));
}

function assignEnv(layers: Layers, binding: EnvBinding, env: Record<string, string | undefined>): string[] {
  const direct = env[binding.name];
  const fileName = binding.fileName;
  const file = fileName ? env[fileName] : undefined;
  const hasDirect = direct !== undefined && direct !== '';
  const hasFile = file !== undefined && file !== '';
  if (hasDirect && hasFile) return [`${binding.name} and ${fileName} are both set; set only one`];
  if (hasDirect)
    layers.set(binding.setting.path, coerceString(direct, binding.setting.leaf), { kind: 'env', name: binding.name });
  else if (hasFile) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      return [
        `${fileName}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      ];
    }
    // Secret files usually end with a newline that is not part of the secret.
    const value = text.replace(/[\r\n]+$/, '');
    layers.set(binding.setting.path, coerceString(value, binding.setting.leaf), { kind: 'env', name: fileName! });
  }
  return [];
}

/** Assigns `value` at `path`, descending into plain objects as far as the schema has objects. */
function assignTree(
  layers: Layers,
  node: SchemaNode,
  path: string[],
  value: unknown,
  source: Source,
  unknown: (path: string[]) => void,
): void {
  if (node.type !== 'object' || !isPlainObject(value)) {
    layers.set(path, value, source);
    return;
  }
  if (Object.keys(value).length === 0) layers.ensureObject(path, source);
  for (const [key, child] of Object.entries(value)) {
    const childNode = node.children.get(key);
    if (childNode) assignTree(layers, childNode, [...path, key], child, source, unknown);
    else if (node.open) layers.set([...path, key], child, source);
    else unknown([...path, key]);
  }
}

/** The merged input, and which source last set each path. */
class Layers {
  private readonly sources = new Map<string, { path: string[]; source: Source }>();

  constructor(readonly value: Record<string, unknown>) {}

  set(path: string[], value: unknown, source: Source): void {
    if (path.length === 0) return;
    const parent = this.parentOf(path);
    defineOwn(parent, path[path.length - 1], value);
    this.record(path, source);
  }

  ensureObject(path: string[], source: Source): void {
    if (path.length === 0) return;
    const parent = this.parentOf(path);
    const key = path[path.length - 1];
    if (!isPlainObject(parent[key])) {
      defineOwn(parent, key, {});
      this.record(path, source);
    }
  }

  /** The source of the deepest assigned path containing `path`, else of the first one inside it. */
  sourceOf(path: readonly (string | number)[]): { path: string[]; source: Source } | undefined {
    const keys = path.map(String);
    for (let n = keys.length; n >= 1; n--) {
      const found = this.sources.get(JSON.stringify(keys.slice(0, n)));
      if (found) return found;
    }
    for (const entry of this.sources.values()) {
      if (keys.every((key, i) => entry.path[i] === key)) return entry;
    }
    return undefined;
  }

  private parentOf(path: string[]): Record<string, unknown> {
    let node = this.value;
    for (const key of path.slice(0, -1)) {
      if (!isPlainObject(node[key])) defineOwn(node, key, {});
      node = node[key] as Record<string, unknown>;
    }
    return node;
  }

  /** A new value at `path` replaces whatever its ancestors or descendants had been set to. */
  private record(path: string[], source: Source): void {
    for (const [key, entry] of this.sources) {
      const shorter = Math.min(entry.path.length, path.length);
      if (entry.path.slice(0, shorter).every((k, i) => k === path[i])) this.sources.delete(key);
    }
    this.sources.set(JSON.stringify(path), { path, source });
  }
}

/** Plain assignment, except that `__proto__` and friends become ordinary keys instead of touching prototypes. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function describeSource(
  source: Source,
  issuePath: readonly (string | number)[],
  file: string | undefined,
  yaml: YamlSource | undefined,
): string {
  switch (source.kind) {
    case 'env':
      return source.name;
    case 'flag':
      return source.label;
    case 'file': {
      const line = yaml?.lineOf(issuePath);
      return `${file}${line ? `:${line}` : ''}`;
    }
  }
}

function requiredHint(path: (string | number)[], bindings: EnvBinding[], file: string | undefined): string {
  const dotted = path.join('.');
  const binding = bindings.find((b) => b.setting.path.join('.') === dotted);
  const places = [file ? `${file}` : 'the config file'];
  if (binding) places.push(binding.name);
  return places.join(' or ');
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** `nats.url`, `rules[2].name`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  return out === '' ? '(config)' : out;
}

function defaultFlagLabel(path: string): string {
  return `--${path
    .split('.')
    .map((key) => key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase())
    .join('-')}`;
}
