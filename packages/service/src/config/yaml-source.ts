import { readFileSync } from 'node:fs';
import { parseLocatedYaml } from '@wirewatch/located-yaml';
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
    return {
      ok: false,
      problems: [`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`],
    };
  }
  const parsed = parseLocatedYaml(text, file);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (value !== null && value !== undefined && !isPlainObject(value)) {
    return { ok: false, problems: [`${file}:1 expected a mapping of settings (key: value) at the top`] };
  }
  return {
    ok: true,
    source: {
      value: value ?? {},
      lineOf: parsed.lineOf,
    },
  };
}
