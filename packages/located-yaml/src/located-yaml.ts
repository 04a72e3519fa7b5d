import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A parsed YAML file that can tell where each of its values was written (config files, rule files). */
export type LocatedYaml =
  | {
      ok: true;
      value: unknown;
      /** Line (1-based) of the key or item at `path`, or of its deepest ancestor present in the file. */
      lineOf(path: readonly PropertyKey[]): number | undefined;
    }
  | { ok: false; problems: string[] };

/** Parses `text`; syntax errors come back as `file:line message` lines. */
export function parseLocatedYaml(text: string, file: string): LocatedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const line = lines.linePos(error.pos[0]).line;
        return `${file}${line ? `:${line}` : ''} ${firstLine(error.message)}`;
      }),
    };
  }
  return {
    ok: true,
    value: doc.toJS(),
    lineOf: (path) => {
      const offset = offsetOf(doc, path);
      return offset === undefined ? undefined : lines.linePos(offset).line;
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
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '');
}
