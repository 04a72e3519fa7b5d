/**
 * Builds what deploy/Dockerfile would put in an image, without a Docker engine: the build stage's
 * COPY instructions copy from the repository as the build context (through .dockerignore) into a
 * temporary "build root", its pnpm steps run there for real (offline, from the local pnpm store), and
 * the target's `COPY --from=build` instructions copy the result into a separate "image root", after
 * which the build root is deleted: whatever the image's files still point at in the build stage
 * fails to resolve, as it would in the image. Paths inside either root are the container's paths
 * (`/app/dist/wirewatch.mjs` → `<root>/app/dist/wirewatch.mjs`).
 *
 * RUN steps that install system packages or pnpm itself are not run (scripts/setup.sh gives this
 * machine libpcap-dev and pnpm 10); any other RUN in the build stage is an error, so a new build
 * step cannot go unchecked.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copiesOf, execFormOf, lastOf, parseDockerfile, type Stage } from './dockerfile.js';
import { dockerignore, type DockerIgnore } from './dockerignore.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const DOCKERFILE = join(REPO, 'deploy/Dockerfile');

export function readDockerfile(): Stage[] {
  return parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
}

export function readDockerignore(): DockerIgnore {
  return dockerignore(readFileSync(join(REPO, '.dockerignore'), 'utf8'));
}

export interface BuildStep {
  line: number;
  what: string;
  ran: boolean;
}

export interface BuiltImage {
  /** The image's file system (only what the target's stages copied in). */
  root: string;
  /** ENTRYPOINT + CMD with container paths mapped into `root`, per target. */
  command(target: string): string[];
  user(target: string): string | undefined;
  steps: BuildStep[];
  dispose(): void;
}

/** Runs the build stage and assembles the runtime stage's files (shared by every target). */
export function buildImage(options: { buildStage?: string; runtimeStage?: string } = {}): BuiltImage {
  const stages = readDockerfile();
  const ignore = readDockerignore();
  const buildName = options.buildStage ?? 'build';
  const runtimeName = options.runtimeStage ?? 'runtime';
  const build = stages.find((s) => s.name === buildName);
  const runtime = stages.find((s) => s.name === runtimeName);
  if (!build || !runtime) throw new Error(`deploy/Dockerfile has no ${build ? runtimeName : buildName} stage`);

  const buildRoot = mkdtempSync(join(tmpdir(), 'wirewatch-image-build-'));
  const imageRoot = mkdtempSync(join(tmpdir(), 'wirewatch-image-'));
  const steps: BuildStep[] = [];
  try {
    let workdir = '/';
    for (const instruction of build.instructions) {
      if (instruction.keyword === 'WORKDIR') {
        workdir = posix.resolve(workdir, instruction.text);
        mkdirSync(join(buildRoot, workdir), { recursive: true });
      } else if (instruction.keyword === 'COPY') {
        const [copy] = copiesOf({ ...build, instructions: [instruction] });
        if (copy.from) throw new Error(`Dockerfile:${instruction.line}: COPY --from in the build stage`);
        for (const source of copy.sources)
          copyFromContext(
            ignore,
            source,
            join(buildRoot, posix.resolve(workdir, copy.dest)),
            copy.dest.endsWith('/') || copy.sources.length > 1,
            instruction.line,
          );
        steps.push({ line: instruction.line, what: `COPY ${instruction.text}`, ran: true });
      } else if (instruction.keyword === 'RUN') {
        steps.push({
          line: instruction.line,
          what: `RUN ${instruction.text}`,
          ran: runBuildStep(instruction.text, instruction.line, join(buildRoot, workdir), buildRoot),
        });
      }
    }

    let runtimeWorkdir = '/';
    for (const instruction of runtime.instructions) {
      if (instruction.keyword === 'WORKDIR') runtimeWorkdir = posix.resolve(runtimeWorkdir, instruction.text);
      if (instruction.keyword !== 'COPY') continue;
      const [copy] = copiesOf({ ...runtime, instructions: [instruction] });
      if (copy.from !== buildName)
        throw new Error(`Dockerfile:${instruction.line}: the runtime stage copies only from ${buildName}`);
      for (const source of copy.sources) {
        const from = join(buildRoot, source);
        if (!existsSync(from)) throw new Error(`Dockerfile:${instruction.line}: the build stage made no ${source}`);
        const to = join(imageRoot, posix.resolve(runtimeWorkdir, copy.dest));
        // A directory's contents go into the destination, as COPY does; symlinks are kept as they are.
        cpSync(from, statSync(from).isDirectory() || !copy.dest.endsWith('/') ? to : join(to, posix.basename(source)), {
          recursive: true,
          verbatimSymlinks: true,
        });
      }
    }
  } catch (error) {
    rmSync(imageRoot, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(buildRoot, { recursive: true, force: true });
  }

  const inRoot = (arg: string) => (arg.startsWith('/app/') ? join(imageRoot, arg) : arg);
  return {
    root: imageRoot,
    steps,
    command: (target) =>
      [...(execFormOf(stages, target, 'ENTRYPOINT') ?? []), ...(execFormOf(stages, target, 'CMD') ?? [])].map(inRoot),
    user: (target) => lastOf(stages, target, 'USER'),
    dispose: () => rmSync(imageRoot, { recursive: true, force: true }),
  };
}

/** COPY from the build context: a file, or a directory's contents, minus what .dockerignore leaves out. */
function copyFromContext(
  ignore: DockerIgnore,
  source: string,
  dest: string,
  intoDirectory: boolean,
  line: number,
): void {
  const relative = posix.normalize(source).replace(/\/$/, '');
  const from = join(REPO, relative);
  if (!existsSync(from) || ignore.ignores(relative))
    throw new Error(`Dockerfile:${line}: ${source} is not in the build context`);
  if (statSync(from).isFile()) {
    const to = intoDirectory ? join(dest, posix.basename(relative)) : dest;
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to);
    return;
  }
  const walk = (dir: string, into: string) => {
    mkdirSync(into, { recursive: true });
    for (const name of readdirSync(join(REPO, dir))) {
      const path = `${dir}/${name}`;
      const stat = lstatSync(join(REPO, path));
      if (stat.isDirectory()) {
        if (!ignore.ignores(path) || ignore.mayReinclude(path)) walk(path, join(into, name));
      } else if (!ignore.ignores(path)) {
        cpSync(join(REPO, path), join(into, name), { verbatimSymlinks: true });
      }
    }
  };
  walk(relative, dest);
}

/** Runs a RUN of the build stage that concerns the workspace; returns false for the skipped ones. */
function runBuildStep(command: string, line: number, cwd: string, buildRoot: string): boolean {
  const env = { ...process.env, npm_config_store_dir: pnpmStore() };
  if (/^apt-get update\b/.test(command) || /^npm install -g pnpm@/.test(command)) return false;
  if (command === 'pnpm fetch') {
    // The image fetches from the registry; here the store already holds what the lockfile names.
    execFileSync('pnpm', ['fetch', '--offline'], { cwd, env, stdio: 'pipe' });
    return true;
  }
  const script = /^sh (deploy\/build-app\.sh) (\/\S+)$/.exec(command);
  if (script) {
    execFileSync('sh', [script[1], join(buildRoot, script[2])], { cwd, env, stdio: 'pipe' });
    return true;
  }
  throw new Error(`Dockerfile:${line}: tests/deploy/image-build.ts does not know how to check "RUN ${command}"`);
}

let store: string | undefined;
/** The pnpm store of the repository's own install (the offline source of every package). */
function pnpmStore(): string {
  store ??= execFileSync('pnpm', ['store', 'path'], { cwd: REPO, encoding: 'utf8' }).trim();
  return store;
}
