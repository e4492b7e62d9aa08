/**
 * local-named.ts runs one real `named` on 127.0.0.1 with free ports (DNS and rndc), configured
 * by the operator's renderNamedConf, for tests of the agent. It needs no address on `lo` and no
 * test-bed node, so agent tests do not depend on how the bed runs pods.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { POD_PATHS, renderNamedConf, renderRndcKey } from '../../src/dns/named-conf.js';

const run = promisify(execFile);

/** LocalNamed is a running named and the paths an agent needs to drive it. */
export interface LocalNamed {
  readonly root: string;
  /** named's working directory; the agent's data dir goes below it, as in a pod. */
  readonly dataDir: string;
  readonly rndc: { readonly server: string; readonly port: number; readonly keyFile: string };
  readonly dnsPort: number;
  readonly log: string;
  /** dig asks this named (+short) and returns the answer lines. */
  dig(name: string, type: string): string;
  /** soaSerial is the serial this named answers for `zone`, undefined when it does not serve it. */
  soaSerial(zone: string): number | undefined;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** close stops named and removes its directory. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** startLocalNamed starts named with the rendered config plus `extraOptions` (lines inside `options {}`). */
export async function startLocalNamed(extraOptions: readonly string[] = []): Promise<LocalNamed> {
  const root = mkdtempSync(join(tmpdir(), 'local-named-'));
  const dataDir = join(root, 'data');
  const rndcDir = join(root, 'rndc');
  for (const d of [dataDir, rndcDir]) mkdirSync(d, { recursive: true });
  const [dnsPort, controlPort] = [await freePort(), await freePort()];
  const keyFile = join(rndcDir, 'rndc.key');
  writeFileSync(keyFile, renderRndcKey(Buffer.alloc(32, 5).toString('base64')), { mode: 0o600 });
  const conf = renderNamedConf({ recursion: false, allowQuery: ['any'], allowTransfer: ['none'], hideVersion: true, listenOn: '127.0.0.1', controlsPort: controlPort })
    .replaceAll(POD_PATHS.rndcKeyDir, rndcDir)
    .replaceAll(POD_PATHS.data, dataDir)
    .replace('listen-on port 53', `listen-on port ${dnsPort}`)
    .replace('options {', ['options {', ...extraOptions.map((o) => `  ${o}`)].join('\n'));
  const confPath = join(root, 'named.conf');
  writeFileSync(confPath, conf);
  const log = join(root, 'named.log');
  let child: ChildProcess | undefined;
  const rndc = { server: '127.0.0.1', port: controlPort, keyFile };
  const named: LocalNamed = {
    root,
    dataDir,
    rndc,
    dnsPort,
    log,
    dig: (name, type) => execFileSync('dig', ['@127.0.0.1', '-p', String(dnsPort), '+short', '+time=1', '+tries=2', name, type], { encoding: 'utf8' }).trim(),
    soaSerial: (zone) => {
      const answer = named.dig(zone, 'SOA');
      return answer === '' ? undefined : Number(answer.split(/\s+/)[2]);
    },
    start: async () => {
      child = spawn('named', ['-g', '-c', confPath], { stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] });
      await waitForRndc(child, rndc, log);
    },
    stop: async () => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child!.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
    close: async () => {
      await named.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
  await named.start();
  return named;
}

async function waitForRndc(child: ChildProcess, o: LocalNamed['rndc'], log: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`named exited with ${child.exitCode}; see ${log}`);
    try {
      await run('rndc', ['-s', o.server, '-p', String(o.port), '-k', o.keyFile, 'status'], { timeout: 2_000 });
      return;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`named did not answer rndc within 15 s; see ${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
