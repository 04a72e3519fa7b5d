import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Marks a directory as the lab's own: only such a directory is emptied at the next start. */
const MARKER = '.wirewatch-lab';

export class LabDirError extends Error {}

/**
 * Makes `dir` an empty lab directory: new, or one an earlier lab run left (the last run's data stays
 * until the next start). A directory with anything else in it is refused, never emptied.
 */
export function prepareLabDir(dir: string): string {
  const path = resolve(dir);
  if (existsSync(path)) {
    const entries = readdirSync(path);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new LabDirError(`lab: ${path} is not empty and is not a lab directory; give another --dir`);
    }
    for (const entry of entries) rmSync(join(path, entry), { recursive: true, force: true });
  }
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, MARKER), 'Made by `pnpm lab`: emptied at its next start.\n');
  return path;
}

/** A subdirectory of the lab directory, made if needed. */
export function labSubdir(root: string, name: string): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  return path;
}
