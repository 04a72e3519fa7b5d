import * as z from 'zod';
import { isSecretKey } from '../redact.js';
import { envBindings } from './env-names.js';
import { isPlainObject, schemaTree, settingsOf } from './schema-tree.js';

/**
 * One row of a service's configuration reference, read off its zod schema: where the setting lives
 * in the YAML file, which variable and flag set it, what it accepts, its default and its
 * `.describe()` text. Objects get a row of their own (their description, no value) before their
 * fields; the fields of a list of objects are listed as `list[].field` (settable only in the file,
 * or as a whole in YAML through the list's variable).
 */
export interface ReferenceEntry {
  /** `nats.tls.caFile`, `receivers[].webhook.url`. */
  path: string;
  kind: 'object' | 'value';
  /** The variable holding the value, absent for objects and for fields inside lists. */
  env?: string;
  /** The variable naming a file that holds the value. */
  envFile?: string;
  /** The command-line flag, as the command declares it (`-i, --interface <names>`). */
  flag?: string;
  /** `string`, `integer`, `list of strings`, ... */
  type: string;
  /** Allowed values, when narrower than the type: `one of \`a\`, \`b\``, `1 – 65535`. */
  allowed?: string;
  /** The default as one would write it. */
  default?: string;
  /** A default computed where the process runs, in words (`the host name`). */
  defaultPhrase?: string;
  /** Must be given (nothing defaults it). Inside an optional object: when that object is given. */
  required: boolean;
  description?: string;
  /** A password, token or key: give it through the environment or a file, never a flag. */
  secret: boolean;
}

export interface ReferenceOptions {
  /** Default `WIREWATCH_`. */
  prefix?: string;
  /** The command's flags and the setting each one sets. */
  flags?: ReadonlyArray<{ flag: string; path: string }>;
  /** Defaults that are computed where the process runs (e.g. from the host name), as a phrase. */
  defaults?: Record<string, string>;
}

/** The zod internals read here (stable in zod 4: `schema._zod.def`); `schema-tree.ts` reads the same. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  defaultValue?: unknown;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

interface Unwrapped {
  /** The schema that checks the value (wrappers removed; pipes and transforms kept). */
  schema: z.ZodType;
  optional: boolean;
  hasDefault: boolean;
  defaultValue?: unknown;
  description?: string;
}

function unwrap(schema: z.ZodType): Unwrapped {
  const out: Unwrapped = { schema, optional: false, hasDefault: false };
  for (let guard = 0; guard < 64; guard++) {
    out.description ??= out.schema.description;
    const def = defOf(out.schema);
    switch (def.type) {
      case 'optional':
      case 'nullable':
        out.optional = true;
        break;
      case 'default':
      case 'prefault':
        if (!out.hasDefault) {
          out.hasDefault = true;
          out.defaultValue = def.defaultValue;
        }
        break;
      case 'catch':
      case 'readonly':
      case 'nonoptional':
        break;
      case 'lazy':
        out.schema = def.getter!();
        continue;
      default:
        return out;
    }
    out.schema = def.innerType!;
  }
  return out;
}

/** The object shape behind a schema, looking through pipes (`z.object(...).transform(...)`). */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(schema);
  if (def.type === 'object') return def.shape;
  return undefined;
}

function elementOf(schema: z.ZodType): z.ZodType | undefined {
  const def = defOf(schema);
  return def.type === 'array' ? def.element : undefined;
}

/** Every setting of `schema`, depth first in schema order. */
export function configReference(schema: z.ZodType, options: ReferenceOptions = {}): ReferenceEntry[] {
  const prefix = options.prefix ?? 'WIREWATCH_';
  const env = new Map(envBindings(settingsOf(schemaTree(schema)), prefix).map((b) => [b.setting.path.join('.'), b]));
  const flags = new Map((options.flags ?? []).map((f) => [f.path, f.flag]));
  const entries: ReferenceEntry[] = [];

  const walk = (node: z.ZodType, path: string[], inList: boolean, inherited: unknown): void => {
    const shape = shapeOf(unwrap(node).schema);
    if (!shape) return;
    for (const [key, child] of Object.entries(shape)) {
      const keyPath = [...path, key];
      const dotted = keyPath.join('.').replaceAll('.[]', '[]');
      const u = unwrap(child);
      const fromParent = isPlainObject(inherited) ? inherited[key] : undefined;
      const defaultValue = u.hasDefault ? u.defaultValue : fromParent;
      const childShape = shapeOf(u.schema);
      if (childShape) {
        entries.push({
          path: dotted,
          kind: 'object',
          type: 'object',
          required: !u.optional && !u.hasDefault,
          description: u.description,
          secret: false,
        });
        walk(u.schema, keyPath, inList, defaultValue);
        continue;
      }
      const binding = inList ? undefined : env.get(dotted);
      const secret = isSecretKey(key) && !/File$/.test(key);
      const element = elementOf(u.schema);
      const listOfObjects = element !== undefined && shapeOf(unwrap(element).schema) !== undefined;
      const { type, allowed } = listOfObjects
        ? { type: 'list of objects (fields below)', allowed: undefined }
        : describeValue(u.schema);
      const phrase = options.defaults?.[dotted];
      entries.push({
        path: dotted,
        kind: 'value',
        env: binding?.name,
        envFile: binding?.fileName,
        flag: inList ? undefined : flags.get(dotted),
        type,
        allowed,
        default: phrase === undefined ? formatDefault(defaultValue) : undefined,
        defaultPhrase: phrase,
        required: !u.optional && !u.hasDefault && fromParent === undefined,
        description: u.description,
        secret,
      });
      if (listOfObjects) walk(element, [...keyPath, '[]'], true, undefined);
    }
  };
  walk(schema, [], false, undefined);
  return entries;
}

/** A default as it would be written in the file; undefined when there is none worth showing. */
function formatDefault(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (Array.isArray(value))
    return value.length === 0 ? '[]' : value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  if (isPlainObject(value)) return Object.keys(value).length === 0 ? undefined : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** JSON Schema, as much of it as the reference reads. */
interface Json {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Json[];
  items?: Json;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  additionalProperties?: Json | boolean;
}

/** The value's type and allowed values, from zod's JSON Schema export of what the setting accepts as input. */
export function describeValue(schema: z.ZodType): { type: string; allowed?: string } {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return describeJson(json);
}

const SAFE_MAX = Number.MAX_SAFE_INTEGER;

function describeJson(json: Json): { type: string; allowed?: string } {
  if (json.anyOf) {
    const parts = json.anyOf.map(describeJson);
    // `a,b` or a YAML list: the union the list settings take so that a variable can hold several values.
    const list = parts.find((p) => p.type.startsWith('list of '));
    if (parts.length === 2 && list && parts.some((p) => p.type === 'string' && p.allowed === undefined)) {
      return { type: `${list.type} (or one comma-separated string)`, allowed: list.allowed };
    }
    const enums = json.anyOf.flatMap((j) => (j.enum ? j.enum : []));
    const others = json.anyOf.filter((j) => !j.enum).map(describeJson);
    if (enums.length > 0 && others.length > 0) {
      const rest = others.map((p) => (p.allowed ? `${article(p.type)} ${p.allowed}` : article(p.type))).join(' or ');
      return {
        type: [...new Set(['string', ...others.map((p) => p.type)])].join(' or '),
        allowed: `${enums.map(code).join(', ')} or ${rest}`,
      };
    }
    return { type: parts.map((p) => p.type).join(' or '), allowed: joinAllowed(parts.map((p) => p.allowed)) };
  }
  if (json.enum)
    return {
      type: typeof json.enum[0] === 'number' ? 'number' : 'string',
      allowed: `one of ${json.enum.map(code).join(', ')}`,
    };
  if (json.const !== undefined) return { type: typeof json.const, allowed: code(json.const) };
  switch (json.type) {
    case 'string': {
      const notes: string[] = [];
      if (json.minLength !== undefined && json.minLength > 0) notes.push(`at least ${json.minLength} characters`);
      if (json.maxLength !== undefined) notes.push(`at most ${json.maxLength} characters`);
      if (json.pattern) notes.push(`matches \`${json.pattern}\``);
      return { type: json.format === 'uri' ? 'URL' : 'string', allowed: joinAllowed(notes) };
    }
    case 'integer':
    case 'number':
      return { type: json.type, allowed: range(json) };
    case 'boolean':
      return { type: 'boolean' };
    case 'array': {
      const item = json.items ? describeJson(json.items) : { type: 'value' };
      const notes = [item.allowed, json.minItems ? `at least ${json.minItems}` : undefined];
      return { type: `list of ${plural(item.type)}`, allowed: joinAllowed(notes) };
    }
    case 'object':
      return { type: json.additionalProperties && typeof json.additionalProperties === 'object' ? 'map' : 'object' };
    default:
      return { type: 'any' };
  }
}

function range(json: Json): string | undefined {
  const low =
    json.exclusiveMinimum !== undefined
      ? `> ${json.exclusiveMinimum}`
      : json.minimum !== undefined
        ? `≥ ${json.minimum}`
        : undefined;
  const max = json.maximum !== undefined && json.maximum < SAFE_MAX ? json.maximum : undefined;
  const high =
    json.exclusiveMaximum !== undefined ? `< ${json.exclusiveMaximum}` : max !== undefined ? `≤ ${max}` : undefined;
  if (json.minimum !== undefined && max !== undefined) return `${json.minimum} – ${max}`;
  return joinAllowed([low, high]);
}

function joinAllowed(parts: ReadonlyArray<string | undefined>): string | undefined {
  const kept = parts.filter((p): p is string => p !== undefined && p !== '');
  return kept.length > 0 ? kept.join(', ') : undefined;
}

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function plural(type: string): string {
  return type === 'URL' ? 'URLs' : type.endsWith('s') ? type : `${type}s`;
}

function article(type: string): string {
  return /^[aeiou]/i.test(type) ? `an ${type}` : `a ${type}`;
}
