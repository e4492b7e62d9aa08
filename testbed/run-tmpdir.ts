/**
 * run-tmpdir.ts gives one jest run its own temporary directory and fails the run if a test leaves
 * anything in it. jest-global-setup.ts points TMPDIR (os.tmpdir()) of the workers, and of every
 * process they start, at a fresh `bindy-jest-tmp-*` directory; jest-global-teardown.ts lists what
 * is still there, removes it all and throws naming the leftovers. A private directory rather
 * than a before/after listing of /tmp, because other runs on the machine share /tmp.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** KEPT are caches that tools make under TMPDIR on purpose and reuse; not leaks of a test. */
const KEPT = [/^tsx-\d+$/];

/** RunTmpdir is the redirected temporary directory and the TMPDIR it replaced. */
export interface RunTmpdir {
  readonly dir: string;
  readonly previous: string | undefined;
}

/** redirectTmpdir makes the run's directory and sets TMPDIR to it for everything started after. */
export function redirectTmpdir(): RunTmpdir {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'bindy-jest-tmp-'));
  process.env.TMPDIR = dir;
  return { dir, previous };
}

/** restoreTmpdir removes the run's directory and returns what tests left in it (tool caches aside). */
export function restoreTmpdir(run: RunTmpdir): string[] {
  if (run.previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = run.previous;
  const leftovers = readdirSync(run.dir).filter((name) => !KEPT.some((kept) => kept.test(name)));
  rmSync(run.dir, { recursive: true, force: true });
  return leftovers.sort();
}
