/**
 * build.ts builds the test bed's control-plane binary (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, kubelet and kube-proxy in one Go program, see controlplane/main.go) with the
 * machine's Go toolchain, and caches it so only the first run on a machine pays
 * the ~5 minute build.
 *
 * Cache layout: $BINDY_TESTBED_CACHE (default ~/.cache/bindy-testbed)/
 *   <kubernetes version>-<hash of go.mod, go.sum, main.go>/controlplane
 * A change to the Go sources gives a new key, so a stale binary is never reused.
 *
 * Run directly (`tsx testbed/build.ts`) it builds if needed and prints the path.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** SOURCE_DIR is the Go module that defines the binary. */
export const SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'controlplane');
const SOURCE_FILES = ['go.mod', 'go.sum', 'main.go'];
// Bump when the build command changes (the ldflags), so an old binary is not reused.
const BUILD_RECIPE = 'v2-version-ldflags';
const TAIL_LINES = 40;

/** cacheRoot is where built binaries live; BINDY_TESTBED_CACHE overrides it. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.BINDY_TESTBED_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bindy-testbed');
}

/** kubernetesVersion reads the pinned k8s.io/kubernetes version from go.mod. */
export function kubernetesVersion(sourceDir = SOURCE_DIR): string {
  const goMod = readFileSync(join(sourceDir, 'go.mod'), 'utf8');
  const match = /^\s*k8s\.io\/kubernetes\s+(v\S+)/m.exec(goMod);
  if (!match?.[1]) throw new Error(`${join(sourceDir, 'go.mod')}: no k8s.io/kubernetes requirement`);
  return match[1];
}

/** binaryPath is the cache path of the binary for the current sources (it may not exist yet). */
export function binaryPath(sourceDir = SOURCE_DIR, env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash('sha256').update(BUILD_RECIPE);
  for (const name of SOURCE_FILES) hash.update(name).update('\0').update(readFileSync(join(sourceDir, name)));
  const key = `${kubernetesVersion(sourceDir)}-${hash.digest('hex').slice(0, 12)}`;
  return join(cacheRoot(env), key, 'controlplane');
}

export interface BuildOptions {
  readonly sourceDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Progress lines (start of a build, where it went). Default: stderr. */
  readonly log?: (line: string) => void;
}

/**
 * ensureControlPlaneBinary returns the path of a built control-plane binary,
 * building it first when the cache has none for the current sources.
 * BINDY_TESTBED_BINARY skips all of this and uses the given file.
 * It rejects with the reason (no `go` on PATH, or the tail of the build output).
 */
export async function ensureControlPlaneBinary(options: BuildOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (env.BINDY_TESTBED_BINARY) {
    if (!existsSync(env.BINDY_TESTBED_BINARY)) throw new Error(`BINDY_TESTBED_BINARY=${env.BINDY_TESTBED_BINARY} does not exist`);
    return env.BINDY_TESTBED_BINARY;
  }
  const sourceDir = options.sourceDir ?? SOURCE_DIR;
  const target = binaryPath(sourceDir, env);
  if (existsSync(target)) return target;

  // 1. Build into a private temp name next to the target, so a concurrent or
  //    interrupted build never leaves a half-written binary at the cached path.
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  const started = Date.now();
  log(`testbed: building control plane ${kubernetesVersion(sourceDir)} (first run on this machine takes ~5 min) -> ${target}`);
  try {
    await runGo(['build', '-trimpath', `-ldflags=${ldflags(kubernetesVersion(sourceDir))}`, '-o', partial, '.'], sourceDir, env);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  // 2. Publish atomically.
  renameSync(partial, target);
  log(`testbed: control plane built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return target;
}

/**
 * ldflags strips symbols and stamps the Kubernetes version into the binary:
 * without it every component reports v0.0.0-master, which the kubelet puts in
 * its Node status and kubectl shows.
 */
export function ldflags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const stamp = (pkg: string): string[] => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ];
  return ['-s', '-w', ...stamp('k8s.io/component-base/version'), ...stamp('k8s.io/client-go/pkg/version')].join(' ');
}

/** runGo runs one go command; it rejects with the command's output tail when it fails. */
export function runGo(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('go', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const collect = (chunk: Buffer): void => {
      output.push(chunk.toString('utf8'));
      if (output.length > 400) output.splice(0, output.length - 200);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'the `go` command is not on PATH (install Go >= 1.24, e.g. from https://go.dev/dl/)' : err.message;
      reject(new Error(`testbed: cannot run go ${args.join(' ')}: ${why}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolvePromise();
      const tail = output.join('').trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
      reject(new Error(`testbed: go ${args.join(' ')} in ${cwd} failed (${signal ?? `exit ${code}`}); last output:\n${tail}`));
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureControlPlaneBinary().then(
    (path) => console.log(path),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
