import { randomUUID } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { eachLimited } from './each-limited.js';

/** TEMP_PREFIXES name the agent's scratch files; nothing else in its directories starts so. */
const TEMP_PREFIXES = ['.tmp-', '.check-'] as const;

/**
 * writeDurably writes a file atomically: readers see the old or the new content, never a mix,
 * and the new content is on disk (data and directory entry) when it returns. A failed write
 * leaves no temporary file behind.
 */
export async function writeDurably(path: string, content: string): Promise<void> {
  await replaceFile(path, content);
  await syncDirectory(dirname(path));
}

/** WRITE_CONCURRENCY bounds the files writeAllDurably has open at once. */
const WRITE_CONCURRENCY = 16;

/**
 * writeAllDurably is writeDurably for many files of one directory: each is written and synced
 * beside the others and renamed into place, and one sync of the directory then makes every
 * rename durable. A batch of zone files written one after the other spent two syncs per file in
 * a row: 320 new zones pushed 16 at a time spent 54% of the agent's batch time writing; written
 * together, the same pushes ran ~20% faster (on a loaded 2-core machine).
 * If a write fails, the error is thrown once the others ended; the files renamed by then hold
 * their new content (as with writeDurably called in a loop).
 */
export async function writeAllDurably(dir: string, files: ReadonlyMap<string, string>): Promise<void> {
  await eachLimited(files, WRITE_CONCURRENCY, ([name, content]) => replaceFile(join(dir, name), content));
  if (files.size > 0) await syncDirectory(dir);
}

/** replaceFile writes and syncs a temporary file and renames it over `path` (the rename is durable once the directory is synced). */
async function replaceFile(path: string, content: string): Promise<void> {
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
}

/** syncDirectory makes the renames in a directory durable. */
async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
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
