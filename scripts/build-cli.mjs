// Bundles the CLI and the workspace libraries into packages/cli/dist/wirewatch.mjs. The hot paths
// run measurably faster as one plain ES module than through a TypeScript loader's per-module shims
// (docs/benchmarks.md), and the bundle is what the containers ship. Third-party packages stay external.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const bundlePath = join(root, 'packages/cli/dist/wirewatch.mjs');

/** Resolves `@wirewatch/<name>` to the workspace package's TypeScript sources (libraries, services, then top-level packages such as grafana). */
export const workspaceSources = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@wirewatch\/[a-z-]+$/ }, (args) => {
      const name = args.path.slice('@wirewatch/'.length);
      const candidates = [join(root, 'packages', name), join(root, 'services', name), join(root, name)].map((dir) => join(dir, 'src/index.ts'));
      return { path: candidates.find((path) => existsSync(path)) ?? candidates[0], sideEffects: false };
    });
  },
};

export async function buildCli() {
  mkdirSync(dirname(bundlePath), { recursive: true });
  await build({
    entryPoints: { wirewatch: join(root, 'packages/cli/src/bin.ts') },
    outdir: dirname(bundlePath),
    outExtension: { '.js': '.mjs' },
    // A dynamic import() becomes its own chunk, loaded only by the command that needs it: without this
    // the dashboards SDK (~140 ms) loaded at every start, and `analyze` runs once per file in scripts.
    splitting: true,
    // Beside the entry, so that assets found next to a module (client.js, default-rules.yaml) are found from any chunk.
    chunkNames: '[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    plugins: [workspaceSources],
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  copyFileSync(join(root, 'packages/report/src/html/client.js'), join(dirname(bundlePath), 'client.js'));
  // The alert rules shipped with wirewatch, found next to the bundle by the alerter and `analyze --rules`.
  copyFileSync(join(root, 'packages/rules/default-rules.yaml'), join(dirname(bundlePath), 'default-rules.yaml'));
  return bundlePath;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
