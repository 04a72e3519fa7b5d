import { parse as parseYaml } from 'yaml';
import type { Leaf, ValueKind } from './schema-tree.js';

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * Converts a string from the environment or a flag to what the setting expects. A string that does
 * not convert is returned unchanged, so validation reports it with the setting's expected type.
 *   number: `8080`, `1e6`, `0x1f`     boolean: true/false, 1/0, yes/no, on/off (any case)
 *   list: `a, b, c` (comma-separated, each element converted) or a YAML flow sequence `[a, b]`
 *   structured (objects, unions, records...): read as YAML, e.g. `{a: 1}` or `auto` or `5`
 */
export function coerceString(value: string, leaf: Leaf): unknown {
  if (leaf.kind === 'list') {
    if (value.trimStart().startsWith('[')) return parseYamlOr(value);
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      .map((item) => coerceScalar(item, leaf.element ?? 'string'));
  }
  return coerceScalar(value, leaf.kind);
}

function coerceScalar(value: string, kind: ValueKind): unknown {
  switch (kind) {
    case 'number': {
      const trimmed = value.trim();
      const n = Number(trimmed);
      return trimmed !== '' && Number.isFinite(n) ? n : value;
    }
    case 'boolean': {
      const word = value.trim().toLowerCase();
      return TRUE.has(word) ? true : FALSE.has(word) ? false : value;
    }
    case 'structured':
      return parseYamlOr(value);
    default:
      return value;
  }
}

function parseYamlOr(value: string): unknown {
  try {
    return parseYaml(value);
  } catch {
    return value;
  }
}
