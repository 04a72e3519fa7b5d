/**
 * The CLI bundle is rebuilt while other processes start from it (issue 11): `pnpm wirewatch` and the
 * tests' buildCli() rebuild when the sources changed, and a rebuild must never hand a starting process
 * a half-written chunk. Runs on a copy of the workspace's sources (so a source can be changed without
 * touching the checkout), with node_modules linked to the real ones.
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');
let copy: string;
let dist: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: copy, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject).on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A change to a source the bundle is built from, as an editor would make it. */
function changeSource(note: string): void {
  appendFileSync(join(copy, 'packages/cli/src/program.ts'), `\n// ${note}\n`);
}

const currentBuild = () => dirname(realpathSync(join(dist, 'wirewatch.mjs')));
/** Every file a process started from `build` may load, as (inode, size, mtime): any write shows. */
const filesOf = (build: string) =>
  Object.fromEntries(
    readdirSync(build).map((f) => [
      f,
      (({ ino, size, mtimeMs }) => ({ ino, size, mtimeMs }))(statSync(join(build, f))),
    ]),
  );
const buildDirs = () => readdirSync(join(dist, 'builds')).sort();

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'wirewatch-bundle-'));
  const skip = new Set(['node_modules', 'dist']);
  for (const dir of ['packages', 'services', 'grafana'])
    cpSync(join(REPO, dir), join(copy, dir), { recursive: true, filter: (src) => !skip.has(basename(src)) });
  for (const file of ['package.json', 'pnpm-lock.yaml', 'scripts/build-cli.mjs', 'scripts/wirewatch.mjs'])
    cpSync(join(REPO, file), join(copy, file));
  // esbuild for the build script; the bundle's third-party imports resolve from packages/cli.
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
  symlinkSync(join(REPO, 'packages/cli/node_modules'), join(copy, 'packages/cli/node_modules'));
  dist = join(copy, 'packages/cli/dist');
  const first = await run(['scripts/build-cli.mjs']);
  expect(first.code, first.stderr).toBe(0);
}, 60_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('the CLI bundle under concurrent starts and rebuilds', () => {
  it('20 starts at once right after a source changed all succeed, and a process of the previous build still loads its lazy chunks', async () => {
    const before = currentBuild();
    const untouched = filesOf(before);
    changeSource('changed before 20 concurrent starts');
    const dashboards = join(copy, 'dashboards-out');
    const starts = Array.from({ length: 20 }, (_, i) =>
      run(i % 4 === 3 ? ['scripts/wirewatch.mjs', 'sensor', '--help'] : ['scripts/wirewatch.mjs', '--version']),
    );
    // Started from the previous build's files (as a running service is), loading a lazily split chunk while the rebuilds run.
    const old = run([join(before, 'wirewatch.mjs'), 'dashboards', '--out', dashboards]);
    const results = await Promise.all(starts);
    for (const [i, r] of results.entries()) {
      expect(r.stderr, `start ${i}`).not.toMatch(/SyntaxError|Error:|ERR_/);
      expect(r.code, `start ${i}: ${r.stderr}`).toBe(0);
      expect(r.stdout, `start ${i}`).toMatch(
        i % 4 === 3 ? /^Usage: wirewatch sensor \[options\]/ : /^\d+\.\d+\.\d+\n$/,
      );
    }
    const oldRun = await old;
    expect(oldRun.code, oldRun.stderr).toBe(0);
    expect(readdirSync(dashboards).sort()).toEqual(['alerts.json', 'sensor-health.json', 'traffic-overview.json']);

    // One new build, switched to whole; the previous one kept for processes still running from it.
    const after = currentBuild();
    expect(after).not.toBe(before);
    // Not a byte of it written while the rebuilds ran (an in-place rebuild rewrites every file).
    expect(filesOf(before)).toEqual(untouched);
    expect(buildDirs().filter((d) => d.startsWith('.'))).toEqual([]);
    for (const asset of ['client.js', 'default-rules.yaml'])
      expect(readlinkSync(join(dist, asset))).toBe(`builds/${basename(after)}/${asset}`);
  }, 60_000);

  it('concurrent buildCli() calls in one process agree on one complete build, and an unchanged tree is not rebuilt', async () => {
    const { buildCli } = (await import(join(copy, 'scripts/build-cli.mjs'))) as { buildCli: () => Promise<string> };
    changeSource('changed before concurrent buildCli() calls');
    const paths = await Promise.all([buildCli(), buildCli(), buildCli(), buildCli()]);
    expect(new Set(paths).size).toBe(1);
    expect(dirname(paths[0])).toBe(currentBuild());
    const started = await run([paths[0], '--version']);
    expect(started.code, started.stderr).toBe(0);

    const dirs = buildDirs();
    expect(await buildCli()).toBe(paths[0]);
    expect(buildDirs()).toEqual(dirs);
  }, 60_000);
});
