import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The sequence number of the first unacknowledged record, kept in `cursor` as `{"next": N}`.
 * Written to `cursor.tmp` and renamed over, so a crash leaves the old or the new one, never half.
 */
export const CURSOR_FILE = 'cursor';
export const CURSOR_TMP_FILE = 'cursor.tmp';

/** @returns the stored cursor, or `undefined` when the file is missing or unreadable (then every record is resent). */
export async function readCursor(dir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, CURSOR_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const next = (JSON.parse(text) as { next?: unknown }).next;
    return typeof next === 'number' && Number.isSafeInteger(next) && next >= 0 ? next : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCursor(dir: string, next: number): Promise<void> {
  const tmp = join(dir, CURSOR_TMP_FILE);
  await writeFile(tmp, JSON.stringify({ next }));
  await rename(tmp, join(dir, CURSOR_FILE));
}
