import { randomUUID } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** TEMP_PREFIXES name the agent's scratch files; nothing else in its directories starts so. */
const TEMP_PREFIXES = ['.tmp-', '.check-'] as const;

/**
 * writeDurably writes a file atomically: readers see the old or the new content, never a mix,
 * and the new content is on disk (data and directory entry) when it returns. A failed write
 * leaves no temporary file behind.
 */
export async function writeDurably(path: string, content: string): Promise<void> {
  const tmp = join(dirname(path), `.tmp-${basename(path)}-${randomUUID()}`);
  try {
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(content);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // The rename is only durable once the directory itself is synced.
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** scratchPath names a scratch file in `dir` that removeLeftovers will clean up if it is orphaned. */
export function scratchPath(dir: string, purpose: 'check', name: string): string {
  return join(dir, `.${purpose}-${name}-${randomUUID()}`);
}

/**
 * removeLeftovers deletes scratch files a crashed or killed agent left in `dir` (older agents
 * named their temporary files `.<pid>.<ms>.tmp`). Called before the agent serves, so nothing
 * can be writing them. Returns the names removed.
 */
export async function removeLeftovers(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const leftovers = entries.filter((e) => TEMP_PREFIXES.some((p) => e.startsWith(p)) || /^\.\d+\.\d+\.tmp$/.test(e));
  await Promise.all(leftovers.map((e) => rm(join(dir, e), { force: true })));
  return leftovers;
}
