import type { ZodType } from 'zod';

/**
 * What loading needs to know of a zod schema: which settings exist (so environment variables can be
 * matched against them instead of split at `_`), what type each expects (so a string from the
 * environment or a flag can be converted), and which objects always exist (so their fields' defaults
 * apply even when nothing sets them).
 */

/** How a string (from the environment or a flag) is turned into a setting's value. */
export type ValueKind = 'string' | 'number' | 'boolean' | 'list' | 'structured';

export interface Leaf {
  type: 'leaf';
  kind: ValueKind;
  /** For lists: the kind of the elements. */
  element?: ValueKind;
}

export interface Branch {
  type: 'object';
  children: Map<string, SchemaNode>;
  /** Accepts keys beyond `children` (a catch-all or passthrough object). */
  open: boolean;
}

export type SchemaNode = Leaf | Branch;

export interface Setting {
  path: string[];
  leaf: Leaf;
}

/** The part of zod's internal definition this reads (stable across zod 4 releases: `schema._zod.def`). */
interface Def {
  type: string;
  innerType?: ZodType;
  shape?: Record<string, ZodType>;
  catchall?: ZodType;
  element?: ZodType;
  in?: ZodType;
  out?: ZodType;
  defaultValue?: unknown;
  values?: unknown[];
  getter?: () => ZodType;
}

const defOf = (schema: ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

interface Unwrapped {
  def: Def;
  optional: boolean;
  hasDefault: boolean;
  defaultValue?: unknown;
}

/** Looks through optional, nullable, default and the other wrappers to the schema that checks the value. */
function unwrap(schema: ZodType): Unwrapped {
  const result: Unwrapped = { def: defOf(schema), optional: false, hasDefault: false };
  for (let guard = 0; guard < 64; guard++) {
    const def = result.def;
    switch (def.type) {
      case 'optional':
      case 'nullable':
        result.optional = true;
        result.def = defOf(def.innerType!);
        continue;
      case 'default':
      case 'prefault':
        if (!result.hasDefault) {
          result.hasDefault = true;
          result.defaultValue = def.defaultValue;
        }
        result.def = defOf(def.innerType!);
        continue;
      case 'catch':
      case 'readonly':
      case 'nonoptional':
        result.def = defOf(def.innerType!);
        continue;
      case 'pipe':
        // z.preprocess(fn, schema) pipes a transform into the schema; x.transform(fn) pipes x into one.
        result.def = defOf(defOf(def.in!).type === 'transform' ? def.out! : def.in!);
        continue;
      case 'lazy':
        result.def = defOf(def.getter!());
        continue;
      default:
        return result;
    }
  }
  return result;
}

function kindOf(def: Def): ValueKind {
  switch (def.type) {
    case 'string':
    case 'enum':
    case 'template_literal':
      return 'string';
    case 'literal':
      return def.values?.every((v) => typeof v === 'string') ? 'string' : 'structured';
    case 'number':
    case 'int':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'structured';
  }
}

export function schemaTree(schema: ZodType): SchemaNode {
  return nodeOf(unwrap(schema).def, 0);
}

function nodeOf(def: Def, depth: number): SchemaNode {
  if (def.type === 'object' && def.shape && depth < 32) {
    const children = new Map<string, SchemaNode>();
    for (const [key, child] of Object.entries(def.shape)) children.set(key, nodeOf(unwrap(child).def, depth + 1));
    const open = def.catchall !== undefined && defOf(def.catchall).type !== 'never';
    return { type: 'object', children, open };
  }
  if (def.type === 'array' && def.element) {
    const element = kindOf(unwrap(def.element).def);
    return element === 'structured' ? { type: 'leaf', kind: 'structured' } : { type: 'leaf', kind: 'list', element };
  }
  return { type: 'leaf', kind: kindOf(def) };
}

/** Every leaf setting with its path, in schema order. */
export function settingsOf(tree: SchemaNode, prefix: string[] = []): Setting[] {
  if (tree.type === 'leaf') return prefix.length > 0 ? [{ path: prefix, leaf: tree }] : [];
  return [...tree.children].flatMap(([key, child]) => settingsOf(child, [...prefix, key]));
}

/** The node at `path`, or where the path leaves the schema: the leaf it enters, or the unknown key. */
export function lookup(
  tree: SchemaNode,
  path: readonly string[],
): { node: SchemaNode; depth: number } | { unknownAt: number } {
  let node = tree;
  for (let i = 0; i < path.length; i++) {
    if (node.type === 'leaf') return { node, depth: i };
    const child = node.children.get(path[i]);
    if (!child) return node.open ? { node, depth: i } : { unknownAt: i };
    node = child;
  }
  return { node, depth: path.length };
}

/**
 * The input skeleton defaults need: every object that is required or has a default exists (with its
 * default's contents), so that zod applies the defaults of the fields inside it. (zod 4 returns an
 * object's `.default({})` as is, without applying its fields' defaults.)
 */
export function defaultSkeleton(schema: ZodType): Record<string, unknown> {
  const skeleton = skeletonOf(schema, 0);
  return isPlainObject(skeleton) ? skeleton : {};
}

function skeletonOf(schema: ZodType, depth: number): unknown {
  const { def, optional, hasDefault, defaultValue } = unwrap(schema);
  if (def.type !== 'object' || !def.shape || depth >= 32) return undefined;
  if (optional && !hasDefault) return undefined;
  if (hasDefault && !isPlainObject(defaultValue)) return undefined;
  const base: Record<string, unknown> = hasDefault ? structuredClone(defaultValue as Record<string, unknown>) : {};
  for (const [key, child] of Object.entries(def.shape)) {
    const inner = skeletonOf(child, depth + 1);
    if (inner === undefined) continue;
    base[key] = isPlainObject(base[key])
      ? { ...(inner as Record<string, unknown>), ...base[key] }
      : base[key] === undefined
        ? inner
        : base[key];
  }
  return base;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
