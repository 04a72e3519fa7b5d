/** Where the configuration reference is committed, relative to the repository root, and how to remake it. */
export const CONFIG_DOC = 'docs/configuration.md';
export const REGENERATE = 'pnpm docs:config';
