import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { isPlainObject } from './schema-tree.js';

export interface YamlSource {
  /** The file's settings (an empty object for an empty file). */
  value: Record<string, unknown>;
  /** Line (1-based) of the key or item at `path`, or of its deepest ancestor present in the file. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export type YamlResult = { ok: true; source: YamlSource } | { ok: false; problems: string[] };

/** Reads and parses a YAML config file; problems come as `file:line message` lines. */
export function readYamlSource(file: string): YamlResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, problems: [`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const line = lines.linePos(error.pos[0]).line;
        return `${file}${line ? `:${line}` : ''} ${firstLine(error.message)}`;
      }),
    };
  }
  const value: unknown = doc.toJS();
  if (value !== null && value !== undefined && !isPlainObject(value)) {
    return { ok: false, problems: [`${file}:1 expected a mapping of settings (key: value) at the top`] };
  }
  return {
    ok: true,
    source: {
      value: (value ?? {}) as Record<string, unknown>,
      lineOf: (path) => {
        const offset = offsetOf(doc, path);
        return offset === undefined ? undefined : lines.linePos(offset).line;
      },
    },
  };
}

function offsetOf(doc: Document, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
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

/** yaml's messages end with " at line N, column M:" and a snippet; the line number is given separately. */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '');
}
