// Bundles the CLI and the workspace libraries into packages/cli/dist/wirewatch.mjs. The hot paths
// run measurably faster as one plain ES module than through a TypeScript loader's per-module shims
// (docs/benchmarks.md), and the bundle is what the containers ship. Third-party packages stay external.
//
// Never written over while something may be loading it (docs/reliability.md, "CLI bundle"): each build
// goes to a fresh directory, dist/builds/<hash of its inputs>/, renamed into place whole, and
// dist/wirewatch.mjs (with client.js and default-rules.yaml) are symlinks into the current build,
// replaced by renaming a new symlink over them. Node runs a module from its real path, so a process
// already started keeps loading its chunks from its own build. A build whose inputs have not changed
// is not rebuilt.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const bundlePath = join(root, 'packages/cli/dist/wirewatch.mjs');
const dist = dirname(bundlePath);
const builds = join(dist, 'builds');
const INPUTS_FILE = 'build-inputs.json';
/** Files beside the entry, found next to a module (client.js) or next to the bundle (default-rules.yaml). */
const ASSETS = { 'client.js': 'packages/report/src/html/client.js', 'default-rules.yaml': 'packages/rules/default-rules.yaml' };
/**
 * What each build depends on besides the modules esbuild reads: this script (the build's settings),
 * the assets, and the lockfile (esbuild's version).
 */
const FIXED_INPUTS = [relative(root, fileURLToPath(import.meta.url)), ...Object.values(ASSETS), 'pnpm-lock.yaml'];
/** Old builds kept for processes started from them: the newest few, and any younger than this. */
const KEEP_BUILDS = 3;
const KEEP_YOUNGER_MS = 60 * 60 * 1000;

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

/**
 * Builds the bundle if its inputs changed since the current build, and returns the real path of the
 * current build's entry (stable for as long as that build is kept, whatever later builds do).
 */
export async function buildCli() {
  const current = currentBuild();
  if (current && isFresh(current)) return join(current, 'wirewatch.mjs');
  const built = await buildFresh();
  for (const name of ['wirewatch.mjs', ...Object.keys(ASSETS)]) pointAt(join(dist, name), relative(dist, join(built, name)));
  removeOldBuilds(built);
  return join(built, 'wirewatch.mjs');
}

/** The build directory dist/wirewatch.mjs points into, or null (no build yet, or an in-place build of an older version). */
function currentBuild() {
  try {
    return dirname(realpathSync(bundlePath));
  } catch {
    return null;
  }
}

function isFresh(build) {
  try {
    const recorded = JSON.parse(readFileSync(join(build, INPUTS_FILE), 'utf8'));
    return hashInputs(recorded.inputs) === recorded.hash;
  } catch {
    return false; // no record (an older layout), or unreadable
  }
}

/** sha256 over the inputs' paths and contents (a missing one hashes as missing: it may appear later). */
function hashInputs(inputs) {
  const hash = createHash('sha256');
  for (const input of [...inputs].sort()) {
    const path = join(root, input);
    hash.update(`${input}\0`).update(existsSync(path) ? readFileSync(path) : '\0missing').update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Bundles into a private temporary directory, then renames it to builds/<hash>: complete or absent, never half written. */
async function buildFresh() {
  mkdirSync(builds, { recursive: true });
  const temporary = join(builds, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    // Loaded only when a build is needed: starting the CLI through scripts/wirewatch.mjs then costs a few hashes.
    const { build } = await import('esbuild');
    const result = await build({
      absWorkingDir: root,
      entryPoints: { wirewatch: join(root, 'packages/cli/src/bin.ts') },
      outdir: temporary,
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
      metafile: true,
      logLevel: 'warning',
    });
    for (const [name, source] of Object.entries(ASSETS)) copyFileSync(join(root, source), join(temporary, name));
    const sources = Object.keys(result.metafile.inputs).map((p) => relative(root, resolve(root, p)));
    const inputs = [...new Set([...sources, ...packageFilesOf(sources), ...FIXED_INPUTS])];
    const hash = hashInputs(inputs);
    writeFileSync(join(temporary, INPUTS_FILE), JSON.stringify({ hash, inputs }, null, 1) + '\n');
    const final = join(builds, hash);
    try {
      renameSync(temporary, final);
    } catch (error) {
      // Another process finished the same build first: theirs is identical, and may already be in use.
      if (!['ENOTEMPTY', 'EEXIST'].includes(error.code) || !existsSync(join(final, INPUTS_FILE))) throw error;
      utimesSync(final, new Date(), new Date()); // in use again: not an old build to remove
    }
    return final;
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

/** The package.json nearest each source (esbuild reads their `sideEffects`). */
function packageFilesOf(sources) {
  const found = new Set();
  for (const dir of new Set(sources.map((source) => dirname(join(root, source))))) {
    for (let d = dir; d.startsWith(root); d = dirname(d)) {
      if (existsSync(join(d, 'package.json'))) {
        found.add(relative(root, join(d, 'package.json')));
        break;
      }
    }
  }
  return found;
}

/** Makes `link` a symlink to `target` with one rename: a reader sees the old link or the new one, never neither. */
function pointAt(link, target) {
  try {
    if (readlinkSync(link) === target) return;
  } catch {
    // absent, or a file an older in-place build wrote: replaced below
  }
  const temporary = `${link}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  symlinkSync(target, temporary);
  try {
    renameSync(temporary, link);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Removes builds no link points at, except the newest few and any made within the last hour (a process may run from them). */
function removeOldBuilds(keep) {
  const now = Date.now();
  const entries = [];
  for (const name of readdirSync(builds)) {
    const path = join(builds, name);
    try {
      entries.push({ path, name, mtime: statSync(path).mtimeMs });
    } catch {
      // removed by a concurrent build meanwhile
    }
  }
  const linked = currentBuild();
  const builtDirs = entries.filter((e) => !e.name.startsWith('.') && e.path !== keep && e.path !== linked).sort((a, b) => b.mtime - a.mtime);
  const stale = [...builtDirs.slice(KEEP_BUILDS), ...entries.filter((e) => e.name.startsWith('.tmp-'))].filter((e) => now - e.mtime > KEEP_YOUNGER_MS);
  for (const { path } of stale) rmSync(path, { recursive: true, force: true });
  // Chunks an in-place build of an older version left directly in dist/.
  for (const name of readdirSync(dist)) {
    const path = join(dist, name);
    if (/\.mjs(\.map)?$/.test(name) && name !== 'wirewatch.mjs') {
      const stat = lstatSync(path, { throwIfNoEntry: false });
      if (stat?.isFile() && now - stat.mtimeMs > KEEP_YOUNGER_MS) rmSync(path, { force: true });
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
