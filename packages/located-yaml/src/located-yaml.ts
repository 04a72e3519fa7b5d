import {
  Composer,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  YAMLParseError,
  type CST,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import {
  DEFAULT_MAX_ALIASES,
  DEFAULT_MAX_DEPTH,
  duplicateKeys,
  sizeProblem,
  tooDeepAt,
  type YamlLimits,
} from './yaml-limits.js';

/** A parsed YAML file that can tell where each of its values was written (config files, rule files). */
export type LocatedYaml =
  | {
      ok: true;
      value: unknown;
      /** Line (1-based) of the key or item at `path`, or of its deepest ancestor present in the file. */
      lineOf: (path: readonly PropertyKey[]) => number | undefined;
    }
  | { ok: false; problems: string[] };

/**
 * Parses `text`; syntax errors and broken limits come back as `file:line message` lines, never as an
 * exception: the size and token count are checked before parsing, the nesting before composing, the
 * alias expansions while building the value.
 */
export function parseLocatedYaml(text: string, file: string, limits: YamlLimits = {}): LocatedYaml {
  const tooBig = sizeProblem(text, limits);
  if (tooBig !== undefined) {
    const where = tooBig.offset === undefined ? ':' : `:${lineAt(text, tooBig.offset)}`;
    return { ok: false, problems: [`${file}${where} ${tooBig.message}`] };
  }

  const lines = new LineCounter();
  const at = (offset: number) => `${file}:${lines.linePos(offset).line}`;
  const tokens: CST.Token[] = [...new Parser(lines.addNewLine).parse(text)];
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const deep = tooDeepAt(tokens, maxDepth);
  if (deep !== undefined) return { ok: false, problems: [`${at(deep)} nested deeper than ${maxDepth} levels`] };

  const doc = composeFirst(tokens, text.length);
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((error) => `${at(error.pos[0])} ${firstLine(error.message)}`) };
  }
  const repeated = duplicateKeys(doc);
  if (repeated.length > 0)
    return { ok: false, problems: repeated.map((offset) => `${at(offset)} Map keys must be unique`) };

  const maxAliases = limits.maxAliases ?? DEFAULT_MAX_ALIASES;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: maxAliases });
  } catch (error) {
    // yaml throws a ReferenceError for an alias bomb (and for an alias to an anchor not yet defined).
    return { ok: false, problems: [`${file}: ${(error as Error).message} (at most ${maxAliases} alias expansions)`] };
  }
  const keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
  return {
    ok: true,
    value,
    lineOf: (path) => {
      const offset = offsetOf(doc, path, keyIndex);
      return offset === undefined ? undefined : lines.linePos(offset).line;
    },
  };
}

/** As yaml's parseDocument: the first document, with an error when the text holds more than one. */
function composeFirst(tokens: CST.Token[], length: number): Document.Parsed {
  let first: Document.Parsed | undefined;
  for (const doc of new Composer({ prettyErrors: false, uniqueKeys: false }).compose(tokens, true, length)) {
    if (first === undefined) first = doc;
    else {
      first.errors.push(
        new YAMLParseError(
          [doc.range[0], doc.range[1]],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  return first!;
}

function offsetOf(
  doc: Document,
  path: readonly PropertyKey[],
  keyIndex: WeakMap<YAMLMap, Map<string, Pair>>,
): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = pairsByKey(node, keyIndex).get(String(key));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
      node = node.items[key];
      offset = (node as Node | null)?.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

/** A mapping's pairs by key, built once: a file with an error at each of its n keys costs n lookups, not n². */
function pairsByKey(map: YAMLMap, keyIndex: WeakMap<YAMLMap, Map<string, Pair>>): Map<string, Pair> {
  let pairs = keyIndex.get(map);
  if (pairs === undefined) {
    pairs = new Map();
    for (const pair of map.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (name !== undefined && !pairs.has(name)) pairs.set(name, pair);
    }
    keyIndex.set(map, pairs);
  }
  return pairs;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

/** yaml's messages end with " at line N, column M:" and a snippet; the line number is given separately. */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '');
}
