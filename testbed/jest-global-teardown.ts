/**
 * jest-global-teardown.ts stops the test bed that jest-global-setup.ts started, then fails the run
 * if the tests left anything in the run's temporary directory (see run-tmpdir.ts).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown(globalConfig: { rootDir: string }): Promise<void> {
  const session = globalThis.__BINDY_TESTBED__;
  const runTmpdir = globalThis.__BINDY_RUN_TMPDIR__;
  globalThis.__BINDY_TESTBED__ = undefined;
  globalThis.__BINDY_RUN_TMPDIR__ = undefined;
  await session?.stop();
  if (!runTmpdir) return;
  const here = pathToFileURL(join(globalConfig.rootDir, 'testbed', 'jest-global-teardown.ts')).href;
  const { restoreTmpdir } = (await tsImport('./run-tmpdir.ts', here)) as typeof import('./run-tmpdir.js');
  const leftovers = restoreTmpdir(runTmpdir);
  if (leftovers.length > 0) {
    throw new Error(`tests left ${leftovers.length} entries in the temporary directory (removed now; make their creators clean up): ${leftovers.join(', ')}`);
  }
}
