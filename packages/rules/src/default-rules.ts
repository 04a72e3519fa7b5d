import { fileURLToPath } from 'node:url';

/** Path of the rule file shipped with the package (`packages/rules/default-rules.yaml`). */
export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../default-rules.yaml', import.meta.url));
