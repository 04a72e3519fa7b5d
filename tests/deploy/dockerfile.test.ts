/**
 * Static checks of deploy/Dockerfile and .dockerignore: what can be known without building (the
 * build itself is replayed by image.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseImageOf, chainOf, copiesOf, execFormOf, lastOf, parseDockerfile } from './dockerfile.js';
import { dockerignore } from './dockerignore.js';
import { readDockerfile, readDockerignore, REPO } from './image-build.js';

const stages = readDockerfile();
const ignore = readDockerignore();
const TARGETS = ['sensor', 'collector', 'alerter', 'traffic'];
const source = readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8');

describe('deploy/Dockerfile', () => {
  it('has a target per service, each built from a build stage into a separate runtime stage', () => {
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(['build', 'runtime', ...TARGETS]));
    for (const target of TARGETS) {
      const chain = chainOf(stages, target).map((s) => s.name);
      expect(chain[0], target).toBe('runtime');
      expect(chain, target).not.toContain('build');
      // what the target's stages take from the build stage
      const copied = chainOf(stages, target)
        .flatMap(copiesOf)
        .filter((c) => c.from === 'build');
      expect(copied.length, target).toBeGreaterThan(0);
    }
  });

  it('starts from images pinned to a version tag, the same Debian release for building and running', () => {
    for (const stage of stages.filter((s) => !stages.some((o) => o.name === s.from))) {
      expect(stage.from, `FROM line ${stage.line}`).toMatch(/^[\w./-]+:\d+(\.\d+)*[\w.-]*$/);
      expect(stage.from).not.toMatch(/:latest$/);
    }
    // `cap` is compiled in the build stage and loaded in the runtime stage: same Node, same libc, same libpcap.
    expect(baseImageOf(stages, 'build')).toBe(baseImageOf(stages, 'runtime'));
    // and the Node major the project runs on (package.json engines)
    const engines = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } })
      .engines.node;
    expect(baseImageOf(stages, 'build')).toMatch(new RegExp(`^node:${/\d+/.exec(engines)![0]}\\.`));
  });

  it('runs every service as a non-root user, with an exec-form entrypoint (signals reach node)', () => {
    for (const target of TARGETS) {
      const user = lastOf(stages, target, 'USER');
      expect(user, target).toBeDefined();
      expect(user, target).not.toMatch(/^(root|0)(:|$)/);
      const entrypoint = execFormOf(stages, target, 'ENTRYPOINT')!;
      expect(entrypoint, target).toEqual(['node', '/app/dist/wirewatch.mjs']);
    }
    expect(execFormOf(stages, 'sensor', 'CMD')).toEqual(['sensor']);
    expect(execFormOf(stages, 'collector', 'CMD')).toEqual(['collector']);
    expect(execFormOf(stages, 'alerter', 'CMD')).toEqual(['alerter']);
    expect(execFormOf(stages, 'traffic', 'CMD')![0]).toBe('generate-traffic');
  });

  it('the entrypoint is what the build produces: the bundle under /app, with the build-app.sh output copied there', () => {
    const runtime = stages.find((s) => s.name === 'runtime')!;
    const workdir = lastOf(stages, 'runtime', 'WORKDIR');
    expect(workdir).toBe('/app');
    const copies = copiesOf(runtime).filter((c) => c.from === 'build');
    const run = stages
      .find((s) => s.name === 'build')!
      .instructions.find((i) => i.keyword === 'RUN' && i.text.includes('build-app.sh'));
    const out = /build-app\.sh (\S+)$/.exec(run!.text)![1];
    expect(copies.map((c) => [c.sources[0], posix.resolve(workdir!, c.dest)])).toEqual([
      [`${out}/node_modules`, '/app/node_modules'],
      [`${out}/dist`, '/app/dist'],
    ]);
    // build-app.sh deploys @wirewatch/cli, whose dist/ holds the bundle scripts/build-cli.mjs writes.
    const script = readFileSync(join(REPO, 'deploy/build-app.sh'), 'utf8');
    expect(script).toMatch(/pnpm build\n/);
    expect(readFileSync(join(REPO, 'scripts/build-cli.mjs'), 'utf8')).toContain("'packages/cli/dist/wirewatch.mjs'");
  });

  it('every COPY source from the build context exists and survives .dockerignore', () => {
    const sources = stages.flatMap(copiesOf).filter((c) => !c.from);
    expect(sources.length).toBeGreaterThan(3);
    for (const copy of sources) {
      for (const src of copy.sources) {
        const path = src.replace(/\/$/, '');
        expect(existsSync(join(REPO, path)), `COPY ${src} (line ${copy.line})`).toBe(true);
        expect(ignore.ignores(path), `.dockerignore leaves out ${src} (line ${copy.line})`).toBe(false);
      }
    }
    // and the build script the build stage runs
    expect(ignore.ignores('deploy/build-app.sh')).toBe(false);
  });

  it('copies patches/ and every workspace package before installing (pnpm patchedDependencies, frozen lockfile)', () => {
    const build = stages.find((s) => s.name === 'build')!;
    const lineOf = (pattern: RegExp) =>
      build.instructions.find((i) => pattern.test(`${i.keyword} ${i.text}`))?.line ?? Infinity;
    const install = lineOf(/^RUN .*build-app\.sh/);
    const patched = Object.values(
      (
        JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
          pnpm: { patchedDependencies: Record<string, string> };
        }
      ).pnpm.patchedDependencies,
    );
    for (const patch of patched)
      expect(lineOf(new RegExp(`COPY ${posix.dirname(patch)}/`)), patch).toBeLessThan(lineOf(/^RUN pnpm fetch/));
    expect(lineOf(/^RUN pnpm fetch/)).toBeLessThan(install);
    // every workspace package directory (pnpm-workspace.yaml) reaches the build stage
    const workspace = /^packages:\n((?:\s+- .*\n)+)/m.exec(readFileSync(join(REPO, 'pnpm-workspace.yaml'), 'utf8'))![1];
    const globs = [...workspace.matchAll(/- (\S+)/g)].map((m) => m[1].replace(/\/\*$/, ''));
    expect(globs).toContain('packages');
    const copies = build.instructions.filter((i) => i.keyword === 'COPY');
    const copied = copies.flatMap((i) => copiesOf({ ...build, instructions: [i] })[0].sources);
    for (const glob of globs)
      expect(
        copied.some((s) => s === `${glob}/` || s === `${glob}/package.json`),
        glob,
      ).toBe(true);
    expect(Math.max(...copies.map((i) => i.line))).toBeLessThan(install);
  });

  it('installs the pnpm version package.json names, and deploys real workspace packages', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { packageManager: string };
    expect(/ARG PNPM_VERSION=(\S+)/.exec(source)![1]).toBe(pkg.packageManager.replace(/^pnpm@/, ''));
    const script = readFileSync(join(REPO, 'deploy/build-app.sh'), 'utf8');
    const filters = [...script.matchAll(/--filter[= ](\S+)/g)].map((m) => m[1]);
    expect(filters).toEqual(['@wirewatch/cli']);
    expect((JSON.parse(readFileSync(join(REPO, 'packages/cli/package.json'), 'utf8')) as { name: string }).name).toBe(
      '@wirewatch/cli',
    );
    expect(script).toMatch(/pnpm install --frozen-lockfile --offline/);
    expect(script).toMatch(/--prod .*deploy "\$out"/);
  });

  it('the sensor target gets libpcap and capture capabilities, and a spool directory its user owns', () => {
    const sensor = stages.find((s) => s.name === 'sensor')!;
    const runs = sensor.instructions
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.text)
      .join('\n');
    expect(runs).toMatch(/libpcap0\.8/);
    expect(runs).toMatch(/setcap cap_net_raw,cap_net_admin\+ep \/usr\/local\/bin\/node/);
    expect(runs).toMatch(/chown node:node \/var\/lib\/wirewatch\/spool/);
    expect(lastOf(stages, 'sensor', 'ENV')).toBe('WIREWATCH_SPOOL_DIR=/var/lib/wirewatch/spool');
    // nothing else needs libpcap: `cap` is loaded only when capturing
    for (const target of ['collector', 'alerter', 'traffic']) {
      expect(
        chainOf(stages, target)
          .flatMap((s) => s.instructions)
          .some((i) => /libpcap/.test(i.text)),
        target,
      ).toBe(false);
    }
  });
});

describe('the Dockerfile and .dockerignore readers', () => {
  it('join continuations, drop comments, and follow a target to its base', () => {
    const parsed = parseDockerfile(
      '# syntax=docker/dockerfile:1\nARG X=1\nFROM a:1 AS one\nRUN a \\\n  # note\n  && b\nFROM one AS two\nUSER u\nCMD ["x"]\n',
    );
    expect(parsed.map((s) => [s.name, s.from])).toEqual([
      ['one', 'a:1'],
      ['two', 'one'],
    ]);
    expect(parsed[0].instructions[0].text).toBe('a && b');
    expect(baseImageOf(parsed, 'two')).toBe('a:1');
    expect(execFormOf(parsed, 'two', 'CMD')).toEqual(['x']);
    expect(() => execFormOf(parseDockerfile('FROM a:1\nCMD x\n'), '0', 'CMD')).toThrow(/shell form/);
  });

  it('match like Docker: last rule wins, exceptions, ** and parent directories', () => {
    const rules = dockerignore('*\n!packages/\n**/node_modules\n**/*.test.ts\n!keep.txt\n');
    expect(rules.ignores('README.md')).toBe(true);
    expect(rules.ignores('packages/a/src/x.ts')).toBe(false);
    expect(rules.ignores('packages/a/node_modules/b/index.js')).toBe(true);
    expect(rules.ignores('keep.txt')).toBe(false);
    expect(rules.ignores('packages/a/src/x.test.ts')).toBe(true);
    expect(rules.ignores('x.test.ts')).toBe(true);
    expect(rules.mayReinclude('sub')).toBe(false);
  });
});
