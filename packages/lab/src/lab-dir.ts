import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Marks a directory as the lab's own: only such a directory is emptied at the next start. */
const MARKER = '.wirewatch-lab';
/** The running lab's process id: a second lab must not empty the directory under the first. */
const PID_FILE = 'lab.pid';

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
    const other = runningLab(join(path, PID_FILE));
    if (other !== null)
      throw new LabDirError(`lab: another pnpm lab (pid ${other}) runs in ${path}; stop it, or give another --dir`);
    for (const entry of entries) rmSync(join(path, entry), { recursive: true, force: true });
  }
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, MARKER), 'Made by `pnpm lab`: emptied at its next start.\n');
  writeFileSync(join(path, PID_FILE), `${process.pid}\n`);
  return path;
}

/** The lab is over: the next one may empty the directory (the data stays until then). */
export function releaseLabDir(dir: string): void {
  rmSync(join(dir, PID_FILE), { force: true });
}

/** The pid in `file` if that process is still a lab (its command line names the lab's entry), else null. */
function runningLab(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (!Number.isInteger(pid) || pid === process.pid) return null;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('lab/src/main.ts') ? pid : null;
  } catch {
    return null; // no file, or no such process
  }
}

/** A subdirectory of the lab directory, made if needed. */
export function labSubdir(root: string, name: string): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  return path;
}
