import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real, small file system for full-disk tests: a tmpfs of `size` mounted on a fresh directory. */
export type SmallDisk = { dir: string; dispose(): void } | { dir?: undefined; skipReason: string; dispose(): void };

/**
 * Mounts a tmpfs of `size` (e.g. `2m`) as root; elsewhere, or when the kernel refuses, says why the
 * test must be skipped. `dispose()` unmounts and removes the directory.
 */
export function mountSmallDisk(prefix: string, size: string): SmallDisk {
  if (process.getuid?.() !== 0) return { skipReason: `not root: cannot mount a ${size} tmpfs`, dispose() {} };
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { skipReason: `mount refused: ${(error as Error).message.split('\n')[0]}`, dispose() {} };
  }
  return {
    dir,
    dispose() {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
