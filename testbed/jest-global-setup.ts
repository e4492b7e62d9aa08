/**
 * jest-global-setup.ts starts one test bed per jest run (see session.ts) and hands it
 * to the test workers through BINDY_TESTBED_STATE. With KUBECONFIG set, the tests use
 * that cluster instead (unless BINDY_TESTBED_LOCAL=1). If the bed cannot start, this throws and the whole run fails
 * with the reason: integration tests are never skipped silently.
 *
 * Jest loads this one file through its transform but resolves its imports natively, so
 * `./session.js` would not be found next to `session.ts`; the test bed code is therefore
 * loaded with tsx's loader instead (the same one `npm run testbed` uses).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import type { RunTmpdir } from './run-tmpdir.js';
import type { Session } from './session.js';

declare global {
  // Shared with jest-global-teardown.ts, which jest runs in the same process.
  var __BINDY_TESTBED__: Session | undefined;
  var __BINDY_RUN_TMPDIR__: RunTmpdir | undefined;
}

export default async function globalSetup(globalConfig: { rootDir: string }): Promise<void> {
  const started = Date.now();
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const here = pathToFileURL(join(globalConfig.rootDir, 'testbed', 'jest-global-setup.ts')).href;
  // BINDY_TESTBED_LOCAL=1 starts a local bed even when the shell has a KUBECONFIG.
  const kubeconfig = process.env.BINDY_TESTBED_LOCAL === '1' ? undefined : process.env.KUBECONFIG?.split(':').find((p) => p.length > 0);
  let session: Session;
  try {
    const { startSession } = (await tsImport('./session.ts', here)) as typeof import('./session.js');
    session = await startSession({ kubeconfig, log });
  } catch (err) {
    if (process.env.DEBUG_TESTBED) console.error(err);
    throw new Error(`test bed failed to start: ${(err as Error).message}`, { cause: err });
  }
  globalThis.__BINDY_TESTBED__ = session;
  process.env.BINDY_TESTBED_STATE = session.stateFile;
  // After the bed has started: its long-running processes keep the machine's TMPDIR, and only
  // what the tests create lands in the run's directory that the teardown checks.
  const { redirectTmpdir } = (await tsImport('./run-tmpdir.ts', here)) as typeof import('./run-tmpdir.js');
  globalThis.__BINDY_RUN_TMPDIR__ = redirectTmpdir();
  const where = session.state.local ? `local control plane at ${session.state.server}` : `cluster of KUBECONFIG=${kubeconfig}`;
  log(`\ntestbed: ${where} ready in ${Date.now() - started} ms (admin kubeconfig: ${session.state.kubeconfigs.admin})`);
}
