/**
 * images.ts builds every image the real node runs, here, from Debian and this repository —
 * nothing is pulled from a container registry (none is reachable):
 *
 *   rootfs   debootstrap --variant=minbase bookworm (~3-4 min; a tarball)
 *   node     rootfs + this machine's /usr/bin/node and npm, tagged as the Dockerfile's NODE_IMAGE
 *   bindy    the project's Dockerfile, built by `buildah bud` on that node image
 *   bind9    rootfs + Debian's bind9 (named, rndc), tagged as Bind9Instance's default image
 *   pause    a static Go program that sleeps until signalled: the pod sandbox image
 *
 * Each result is a docker-archive tarball under <cache>/images/, named by a hash of its inputs
 * (the parent's key, the files it copies, the recipe), so a rebuild happens only when an input
 * changed; otherwise ensureImages costs a few file hashes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, runGo } from '../build.js';
import { sh } from '../realnode/host.js';
import { PAUSE_IMAGE } from '../realnode/configs.js';
import { Buildah } from './buildah.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RECIPE = 'images-v1';
const MIRROR = 'http://deb.debian.org/debian';
/**
 * HOST_CA is the machine's CA bundle. Where the npm registry is reached through a TLS-inspecting
 * proxy (as on these machines) only this bundle verifies it, so the node image carries it and
 * points NODE_EXTRA_CA_CERTS at it, as a company base image would; npm ci in the Dockerfile needs it.
 */
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';
const IMAGE_CA = '/usr/local/share/ca-certificates-host/ca-certificates.crt';

/** Image tags: what the manifests name (so they run unmodified) and a local one per build. */
export const IMAGES = {
  /** The Dockerfile's default NODE_IMAGE, as buildah resolves the short name. */
  node: 'docker.io/library/node:20-bookworm-slim',
  /** The name every dist/ profile uses; also what the operator puts in agent sidecars. */
  bindyRelease: 'ghcr.io/firestoned/bindy-ts:0.1.0',
  /** Bind9Instance's default spec.image. */
  bind9: 'docker.io/internetsystemsconsortium/bind9:9.18',
  pause: PAUSE_IMAGE,
} as const;

/** ImageArchive is one tarball to import; `tags[0]` is the name inside it, the rest are added on import. */
export interface ImageArchive {
  readonly name: string;
  readonly path: string;
  readonly tags: readonly string[];
  /** Milliseconds spent building it now (0: it came from the cache). */
  readonly builtMs: number;
}

/** BuiltImages: the archives, and the local tag of the project image (for kustomize `images:`). */
export interface BuiltImages {
  readonly archives: readonly ImageArchive[];
  readonly bindyImage: string;
}

interface Ctx {
  readonly dir: string;
  readonly buildah: Buildah;
  readonly log: (line: string) => void;
}

/** ensureImages builds what the cache lacks and returns every archive the node imports. */
export async function ensureImages(log: (line: string) => void = (l) => void process.stderr.write(`${l}\n`)): Promise<BuiltImages> {
  const dir = join(cacheRoot(), 'images');
  mkdirSync(dir, { recursive: true });
  const ctx: Ctx = { dir, buildah: new Buildah(dir), log };
  const rootfs = await ensureRootfs(ctx);
  const node = await cached(ctx, 'node', [rootfs.key, hashFile(process.execPath), npmDir() ? hashTree(npmDir() as string) : 'no-npm', existsSync(HOST_CA) ? hashFile(HOST_CA) : 'no-ca'], (out, tag) => buildNodeImage(ctx, rootfs.path, out, tag), IMAGES.node);
  const sources = ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => hashFile(join(REPO, f)));
  const bindyKey = key([node.key, ...sources, hashTree(join(REPO, 'src'))]);
  const bindyTag = `localhost/bindy-ts:${bindyKey}`;
  const bindy = await cached(ctx, 'bindy', [bindyKey], (out, tag) => buildBindyImage(ctx, node.path, out, tag), bindyTag, [IMAGES.bindyRelease]);
  const bind9 = await cached(ctx, 'bind9', [rootfs.key], (out, tag) => buildBind9Image(ctx, rootfs.path, out, tag), IMAGES.bind9);
  const pauseSource = fileURLToPath(new URL('./pause/main.go', import.meta.url));
  const pause = await cached(ctx, 'pause', [hashFile(pauseSource)], (out, tag) => buildPauseImage(ctx, pauseSource, out, tag), IMAGES.pause);
  return { archives: [pause, node, bindy, bind9].map((a) => a.archive), bindyImage: bindyTag };
}

/** cached returns the archive for `inputs`, running `build(out, tag)` into a temp name first when absent. */
async function cached(
  ctx: Ctx,
  name: string,
  inputs: readonly string[],
  build: (out: string, tag: string) => Promise<void>,
  tag: string,
  extraTags: readonly string[] = [],
): Promise<{ key: string; path: string; archive: ImageArchive }> {
  const k = key([name, ...inputs]);
  const path = join(ctx.dir, `${name}-${k}.tar`);
  let builtMs = 0;
  if (!existsSync(path)) {
    const started = Date.now();
    ctx.log(`testbed: building image ${name} (${tag})`);
    const partial = `${path}.partial-${process.pid}`;
    rmSync(partial, { force: true });
    await build(partial, tag);
    renameSync(partial, path);
    builtMs = Date.now() - started;
    ctx.log(`testbed: image ${name} built in ${(builtMs / 1000).toFixed(1)} s`);
    pruneOld(ctx.dir, name, path);
  }
  return { key: k, path, archive: { name, path, tags: [tag, ...extraTags], builtMs } };
}

/** pruneOld removes older archives of the same image (each is a few hundred MB). */
function pruneOld(dir: string, name: string, keep: string): void {
  for (const f of readdirSync(dir)) if (f.startsWith(`${name}-`) && f.endsWith('.tar') && join(dir, f) !== keep) rmSync(join(dir, f), { force: true });
}

/** ensureRootfs debootstraps a minimal bookworm and keeps it as a tarball. */
async function ensureRootfs(ctx: Ctx): Promise<{ key: string; path: string }> {
  const k = key([RECIPE, 'bookworm', 'minbase', MIRROR]);
  const path = join(ctx.dir, `rootfs-${k}.tar`);
  if (existsSync(path)) return { key: k, path };
  const started = Date.now();
  ctx.log('testbed: debootstrap --variant=minbase bookworm (first run on this machine: ~4 min)');
  const tmp = join(ctx.dir, `rootfs-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    await runQuiet('debootstrap', ['--variant=minbase', 'bookworm', tmp, MIRROR]);
    // The package cache and lists are only download leftovers; /dev, /proc, /sys are the runtime's.
    sh('tar', ['-C', tmp, '--exclude=./var/cache/apt/archives/*.deb', '--exclude=./var/lib/apt/lists/*', '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '-cf', `${path}.partial`, '.']);
    renameSync(`${path}.partial`, path);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  ctx.log(`testbed: rootfs made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { key: k, path };
}

/** npmDir is where this machine's npm lives (next to its node), if anywhere. */
function npmDir(): string | undefined {
  const dir = join(process.execPath, '..', '..', 'lib', 'node_modules', 'npm');
  return existsSync(dir) ? dir : undefined;
}

async function buildNodeImage(ctx: Ctx, rootfs: string, out: string, tag: string): Promise<void> {
  const b = ctx.buildah;
  const c = await b.fromScratch();
  try {
    await b.run(['add', c, rootfs, '/']);
    await b.run(['copy', c, process.execPath, '/usr/local/bin/node']);
    const npm = npmDir();
    if (npm) {
      await b.run(['copy', c, npm, '/usr/local/lib/node_modules/npm']);
      await b.run(['run', c, '--', 'ln', '-s', '../lib/node_modules/npm/bin/npm-cli.js', '/usr/local/bin/npm']);
      await b.run(['run', c, '--', 'ln', '-s', '../lib/node_modules/npm/bin/npx-cli.js', '/usr/local/bin/npx']);
    }
    const env = ['--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
    if (existsSync(HOST_CA)) {
      await b.run(['copy', c, HOST_CA, IMAGE_CA]);
      env.push('--env', `NODE_EXTRA_CA_CERTS=${IMAGE_CA}`);
    }
    await b.run(['config', ...env, '--cmd', 'node', c]);
    await b.run(['commit', '--quiet', c, tag]);
  } finally {
    await b.run(['rm', c]).catch(() => undefined);
  }
  await b.exportArchive(tag, out, tag);
}

async function buildBindyImage(ctx: Ctx, nodeArchive: string, out: string, tag: string): Promise<void> {
  const b = ctx.buildah;
  // The node image may only be in the archive (a cache from an earlier storage); load it by name.
  await b.run(['pull', '--quiet', `docker-archive:${nodeArchive}`]);
  await b.run(['bud', '--quiet', '--network', 'host', '--pull-never', '--layers', '-f', 'Dockerfile', '-t', tag, '.'], REPO);
  await b.exportArchive(tag, out, tag);
}

async function buildBind9Image(ctx: Ctx, rootfs: string, out: string, tag: string): Promise<void> {
  const b = ctx.buildah;
  const c = await b.fromScratch();
  try {
    await b.run(['add', c, rootfs, '/']);
    await b.run(['run', '--network', 'host', c, '--', 'sh', '-c',
      'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends bind9 bind9utils && rm -rf /var/lib/apt/lists/*']);
    await b.run(['config', '--cmd', 'named -g', c]);
    await b.run(['commit', '--quiet', c, tag]);
  } finally {
    await b.run(['rm', c]).catch(() => undefined);
  }
  await b.exportArchive(tag, out, tag);
}

async function buildPauseImage(ctx: Ctx, source: string, out: string, tag: string): Promise<void> {
  const bin = join(ctx.dir, `pause-${process.pid}`);
  await runGo(['build', '-trimpath', '-ldflags=-s -w', '-o', bin, source], join(source, '..'), { ...process.env, CGO_ENABLED: '0' });
  const b = ctx.buildah;
  const c = await b.fromScratch();
  try {
    await b.run(['copy', c, bin, '/pause']);
    await b.run(['config', '--entrypoint', '["/pause"]', c]);
    await b.run(['commit', '--quiet', c, tag]);
  } finally {
    await b.run(['rm', c]).catch(() => undefined);
    rmSync(bin, { force: true });
  }
  await b.exportArchive(tag, out, tag);
}

function runQuiet(command: string, args: string[]): Promise<void> {
  return import('node:child_process').then(
    ({ spawn }) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        const tail: string[] = [];
        const keep = (c: Buffer): void => void tail.push(...c.toString('utf8').split('\n').filter(Boolean).slice(-30));
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        child.on('error', (err) => reject(new Error(`testbed: cannot run ${command}: ${err.message}`)));
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`testbed: ${command} failed (exit ${code}); last output:\n${tail.slice(-30).join('\n')}`))));
      }),
  );
}

function key(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12);
}

function hashFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** hashTree hashes every file's relative path and content below `dir`, in a stable order. */
function hashTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else hash.update(relative(dir, p)).update('\0').update(readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
}
