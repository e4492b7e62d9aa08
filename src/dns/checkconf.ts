import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { POD_PATHS, renderRndcKey } from './named-conf.js';
import { invalid, OK, type Verdict } from './names.js';

const run = promisify(execFile);

/**
 * checkNamedConf runs `named-checkconf` on a rendered named.conf, so a config named would refuse
 * never reaches a ConfigMap (and a rolling update never replaces working pods with ones that
 * cannot start). The pod paths are mapped onto a scratch directory (named-checkconf follows the
 * rndc key include and changes into the data directory), with a throw-away key in place of the
 * real one: the check needs its syntax, not its secret.
 */
export async function checkNamedConf(conf: string, timeoutMs = 10_000): Promise<Verdict> {
  const root = await mkdtemp(join(tmpdir(), 'bindy-checkconf-'));
  try {
    const dirs = { rndc: join(root, 'rndc'), data: join(root, 'data'), config: join(root, 'config') };
    for (const d of Object.values(dirs)) await mkdir(d);
    await writeFile(join(dirs.rndc, 'rndc.key'), renderRndcKey(Buffer.alloc(32).toString('base64')));
    const local = conf.replaceAll(POD_PATHS.rndcKeyDir, dirs.rndc).replaceAll(POD_PATHS.configDir, dirs.config).replaceAll(POD_PATHS.data, dirs.data);
    const file = join(dirs.config, 'named.conf');
    await writeFile(file, local);
    try {
      await run('named-checkconf', [file], { timeout: timeoutMs });
      return OK;
    } catch (err) {
      const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`.replaceAll(`${dirs.config}/`, '').trim();
      return invalid('InvalidConfig', `named-checkconf refused the rendered named.conf: ${out.replace(/\s*\n\s*/g, '; ') || (err as Error).message}`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
