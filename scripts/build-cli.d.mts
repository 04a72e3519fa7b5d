/** Path of the CLI bundle. */
export declare const bundlePath: string;
/** Bundles the CLI and the workspace libraries into packages/cli/dist/wirewatch.mjs; resolves with its path. */
export declare function buildCli(): Promise<string>;
/** esbuild plugin: `@wirewatch/<name>` → packages/<name>/src/index.ts or services/<name>/src/index.ts. */
export declare const workspaceSources: import('esbuild').Plugin;
