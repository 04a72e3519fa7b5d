import { isScalar, Lexer, visit, type CST, type Document } from 'yaml';

/**
 * Bounds on what one YAML text may cost to parse. The `yaml` library needs about 2-5 µs per token on
 * a busy machine and recurses once per nesting level, so the text is sized and lexed (cheap) before
 * it is parsed, and its nesting measured on the parse tree without recursion before it is composed.
 */
export interface YamlLimits {
  /** UTF-8 bytes of the text. Default: unlimited. */
  maxBytes?: number;
  /** Lexer tokens (scalars, indicators, spaces, line breaks): what the parse time grows with. Default: unlimited. */
  maxTokens?: number;
  /** Nesting of collections. Default: 64. */
  maxDepth?: number;
  /** Alias expansions while building the value (`yaml`'s maxAliasCount; an alias bomb exceeds it). Default: 100. */
  maxAliases?: number;
}

export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_ALIASES = 100;

/** Lexer tokens that mark a state change and are not part of the text. */
const CONTROL_TOKENS = new Set(['\u0002', '\u0018', '\u001f']);

/** The first size limit `text` breaks, as a message (with the offset where, if known); undefined when within them. */
export function sizeProblem(text: string, limits: YamlLimits): { message: string; offset?: number } | undefined {
  if (limits.maxBytes !== undefined) {
    // Each UTF-16 unit is at most 3 UTF-8 bytes: only long texts need the exact count.
    const bytes = text.length * 3 <= limits.maxBytes ? text.length : Buffer.byteLength(text);
    if (bytes > limits.maxBytes) return { message: `${bytes} bytes, more than the ${limits.maxBytes} allowed` };
  }
  if (limits.maxTokens !== undefined) {
    // Deep flow nesting is the costliest per token to parse: refused here already (the parse tree's
    // check in tooDeepAt stays the exact one; this count is fooled only into refusing sooner).
    const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
    let tokens = 0;
    let flowDepth = 0;
    let offset = 0;
    for (const token of new Lexer().lex(text)) {
      if (++tokens > limits.maxTokens)
        return { message: `more than ${limits.maxTokens} YAML tokens (values, indicators, line breaks): too complex` };
      if (token === '[' || token === '{') {
        if (++flowDepth > maxDepth) return { message: `nested deeper than ${maxDepth} levels`, offset };
      } else if (token === ']' || token === '}') flowDepth--;
      if (!CONTROL_TOKENS.has(token)) offset += token.length;
    }
  }
  return undefined;
}

/** Offset of the first collection nested deeper than `maxDepth`, walking the parse tree without recursion. */
export function tooDeepAt(tokens: readonly CST.Token[], maxDepth: number): number | undefined {
  const stack: [CST.Token | null | undefined, number][] = tokens.map((token) => [token, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (token === null || token === undefined) continue;
    if (token.type === 'document') stack.push([token.value, depth]);
    else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > maxDepth) return token.offset;
      for (const item of token.items) stack.push([item.key, depth + 1], [item.value, depth + 1]);
    }
  }
  return undefined;
}

/**
 * Offsets of repeated keys in any mapping. `yaml`'s own `uniqueKeys` compares every key with every
 * other (60 000 keys: a minute); this is one pass with a set per mapping. Scalar keys only.
 */
export function duplicateKeys(doc: Document): number[] {
  const found: number[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const value = pair.key.value;
        if (seen.has(value)) found.push(pair.key.range?.[0] ?? 0);
        seen.add(value);
      }
    },
  });
  return found;
}
