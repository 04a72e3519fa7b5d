// Lint rules that catch real bugs (floating promises, unsafe any, unused code), typed by the project's
// own tsconfig. Formatting is Prettier's job (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-named parameters keep an interface's signature (an evaluator ignoring heartbeats); `{ key: _, ...rest }` drops a key from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Package boundaries: code outside a package sees only what its package.json `exports` offer
      // (`@wirewatch/<name>`, or a deliberate subpath such as `@wirewatch/traffic/testing`).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // ../packages/x/src/…, ../../services/x/src/… (from tests/) and ../../x/src/… (from a sibling package)
              regex: '^(\\.\\./)+((packages|services)/)?[a-z-]+/src/',
              message:
                "Import another package by its name, '@wirewatch/<name>' (export what it needs), not by a path into its src/.",
            },
            {
              regex: '^\\./(packages|services|grafana)/',
              message: "Import a workspace package by its name, '@wirewatch/<name>', not by a path into its directory.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: {
      // vitest types its asymmetric matchers (expect.any, expect.stringMatching, ...) as `any`; a real `any` still trips no-unsafe-member-access/-call/-argument/-return where it is used.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts'],
    rules: {
      // Test doubles implement Promise-returning interfaces (handlers, fastify hooks, which fastify tells from callback hooks by `async`) with nothing to await.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
