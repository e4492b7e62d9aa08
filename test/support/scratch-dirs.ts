/**
 * scratchDirs gives a test file fresh temporary directories (mkdtemp under os.tmpdir(), named
 * `<prefix>XXXXXX`) and removes every one it made after the tests of the enclosing describe block
 * (or file): the run's temp-dir check (testbed/temp-dir-check.ts) fails on anything left behind.
 * Call it at describe or file level, where afterAll can be registered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
