/**
 * Builds the cdk8s-bindy package into lib/ (what `npm pack` ships):
 *   1. lib/index.js: one ES module bundled by esbuild. The CRD definitions, which the source
 *      takes from the operator's src/crds through src/crd-source.ts, are inlined; cdk8s,
 *      constructs, cdk8s-plus-28 (peers) and @kubernetes-models (a dependency) stay imports.
 *   2. lib/*.d.ts: the declarations of src/ by tsc, minus crd-source (internal). A declaration
 *      that still reaches outside the package fails the build.
 * Run with `npm run build` in packages/cdk8s-bindy (prepack runs it too).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const pkg = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const repo = resolve(pkg, '../..');
const lib = join(pkg, 'lib');
const types = join(pkg, 'build', 'types');

/** EXTERNAL are resolved by the consumer's node_modules, never bundled. */
const EXTERNAL = ['cdk8s', 'cdk8s-plus-28', 'constructs', '@kubernetes-models/*'];

async function bundle(): Promise<void> {
  await build({
    entryPoints: [join(pkg, 'src', 'index.ts')],
    outfile: join(lib, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

function declarations(): void {
  rmSync(types, { recursive: true, force: true });
  const tsc = join(repo, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', join(pkg, 'tsconfig.json')], { stdio: 'inherit' });
  const emitted = join(types, 'packages', 'cdk8s-bindy', 'src');
  for (const file of readdirSync(emitted).filter((f) => f.endsWith('.d.ts') && f !== 'crd-source.d.ts')) {
    const text = readFileSync(join(emitted, file), 'utf8');
    if (/from '\.\.\/|crd-source/.test(text)) throw new Error(`${file} refers outside the package's public files; keep that type internal`);
    cpSync(join(emitted, file), join(lib, file));
  }
  rmSync(join(pkg, 'build'), { recursive: true, force: true });
}

rmSync(lib, { recursive: true, force: true });
mkdirSync(lib, { recursive: true });
await bundle();
declarations();
if (!existsSync(join(lib, 'index.d.ts'))) throw new Error('lib/index.d.ts is missing');
// stderr: `npm pack --json` prints its JSON on stdout.
process.stderr.write(`built ${lib}: ${readdirSync(lib).length} files\n`);
