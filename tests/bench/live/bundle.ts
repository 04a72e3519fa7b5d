/**
 * Bundles the capture peer with esbuild into a temporary directory, as scripts/build-cli.mjs
 * bundles the CLI: code loaded through tsx runs markedly slower (docs/design.md), and the bundle is
 * what the sensor ships. The native `cap` package stays external; a node_modules/cap link next to
 * the bundle lets it resolve from there.
 */
import { build } from 'esbuild';
import { workspaceSources } from '../../../scripts/build-cli.mjs';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

/** Returns the bundle's path and a function that removes it. */
export async function bundlePeer(): Promise<{ path: string; remove: () => void }> {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'wwbench-live-'));
  const path = join(dir, 'peer.mjs');
  await build({
    entryPoints: [join(repoRoot, 'tests/bench/live/peer.ts')],
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    plugins: [workspaceSources],
    logLevel: 'warning',
  });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(realpathSync(join(repoRoot, 'packages/capture/node_modules/cap')), join(dir, 'node_modules/cap'));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
