/**
 * named.ts runs one real `named` for a test-bed pod on its own loopback address, with the
 * named.conf the operator rendered, rewritten only where a real pod differs from a shared
 * host: the addresses (a pod has its own network namespace) and the mount paths.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { POD_PATHS } from '../../src/dns/named-conf.js';

const run = promisify(execFile);

/** PodFiles are a pod's volumes on the host. */
export interface PodFiles {
  readonly root: string;
  readonly data: string;
  readonly config: string;
  readonly rndcDir: string;
  readonly rndcKey: string;
}

export function podFiles(root: string): PodFiles {
  return { root, data: join(root, 'data'), config: join(root, 'config'), rndcDir: join(root, 'rndc'), rndcKey: join(root, 'rndc', 'rndc.key') };
}

/** localizeNamedConf maps the pod's paths and addresses onto this host's pod directory and loopback address. */
export function localizeNamedConf(conf: string, files: PodFiles, address: string): string {
  return conf
    .replaceAll(POD_PATHS.rndcKeyDir, files.rndcDir)
    .replaceAll(POD_PATHS.configDir, files.config)
    .replaceAll(POD_PATHS.data, files.data)
    // A pod has one address, so named's NOTIFY and transfer requests leave from it; on a shared
    // lo the kernel would pick the destination's address, and peers would refuse them.
    .replace(/listen-on port 53 \{ any; \};/, `listen-on port 53 { ${address}; };\n  notify-source ${address};\n  transfer-source ${address};`)
    .replace(/inet 127\.0\.0\.1 port (\d+) allow \{ 127\.0\.0\.1; \}/, `inet ${address} port $1 allow { ${address}; }`);
}

/** writePodFiles lays out the pod's volumes from the ConfigMap and Secret contents. */
export function writePodFiles(files: PodFiles, namedConf: string, rndcKey: string, address: string): string {
  for (const dir of [files.data, files.config, files.rndcDir]) mkdirSync(dir, { recursive: true });
  writeFileSync(files.rndcKey, rndcKey, { mode: 0o600 });
  const confPath = join(files.config, 'named.conf');
  writeFileSync(confPath, localizeNamedConf(namedConf, files, address));
  return confPath;
}

/** addLoopback makes `address` bindable: named only listens on addresses present on an interface. */
export async function addLoopback(address: string): Promise<void> {
  try {
    await run('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo']);
  } catch (err) {
    if (!/File exists/.test(String((err as { stderr?: string }).stderr))) throw err;
  }
}

export async function removeLoopback(address: string): Promise<void> {
  await run('ip', ['addr', 'del', `${address}/32`, 'dev', 'lo']).catch(() => undefined);
}

/** startNamed runs named in the foreground and resolves once rndc answers (it is then serving). */
export async function startNamed(confPath: string, files: PodFiles, address: string, logFile: string): Promise<ChildProcess> {
  const { openSync } = await import('node:fs');
  const out = openSync(logFile, 'a');
  const child = spawn('named', ['-g', '-c', confPath], { stdio: ['ignore', out, out], detached: false });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`named for ${address} exited with ${child.exitCode}; see ${logFile}`);
    try {
      await run('rndc', ['-s', address, '-p', '953', '-k', files.rndcKey, 'status'], { timeout: 2_000 });
      return child;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`named for ${address} did not answer rndc within 15 s; see ${logFile}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** stopNamed stops named and waits for it, so the address and port are free again. */
export async function stopNamed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** writeDataFile is for tests that need to damage a pod's disk. */
export function writeDataFile(files: PodFiles, name: string, content: string): void {
  writeFileSync(join(files.data, name), content);
}
