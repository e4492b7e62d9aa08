/**
 * What the Dockerfile ships: `npm run build` output with production dependencies only
 * (`npm prune --omit=dev`). The tree is rebuilt here without the network: compile src/ into a
 * temporary directory and hard-link only the packages `npm ls --omit=dev` lists, so an import
 * of a devDependency from src/ fails here as it would in the image.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const app = mkdtempSync(join(tmpdir(), 'bindy-prod-'));

/** productionPackages lists the installed package directories of the production closure, outermost first. */
function productionPackages(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' });
  const dirs = out.split('\n').filter((l) => l.includes('node_modules')).map((l) => relative(root, l)).sort();
  return dirs.filter((d, i) => !dirs.slice(0, i).some((parent) => d.startsWith(`${parent}/`)));
}

beforeAll(() => {
  // Niced: a full compile is the heaviest CPU user in the suite, and timing-sensitive
  // integration tests (lease renewals) run next to it.
  const tsc = [join(root, 'node_modules/.bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(app, 'build'), '--sourceMap', 'false'];
  execFileSync('nice', ['-n', '10', ...tsc], {
    cwd: root,
    stdio: 'pipe',
  });
  copyFileSync(join(root, 'package.json'), join(app, 'package.json'));
  for (const dir of productionPackages()) {
    mkdirSync(dirname(join(app, dir)), { recursive: true });
    // Hard links: cheap, and a file the app resolves outside this tree cannot sneak in.
    execFileSync('cp', ['-al', join(root, dir), join(app, dir)]);
  }
}, 120_000);

afterAll(() => rmSync(app, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, args, { cwd: app, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20_000 });

describe('production-only install of the build output', () => {
  it('does not ship devDependencies', () => {
    for (const dev of ['jest', 'typescript', 'kubernetes-models', 'tsx', 'cdk8s', 'cdk8s-plus-28']) expect(existsSync(join(app, 'node_modules', dev))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'pino'))).toBe(true);
    expect(productionPackages().some((d) => /node_modules\/(jest|typescript|ts-jest|kubernetes-models|@kubernetes-models)$/.test(d))).toBe(false);
  });

  it('loads the operator entry point and rejects a bad setting with exit 2 before touching a cluster', () => {
    const r = run(['build/main.js'], { POD_NAME: 'bindy-0', ENABLE_LEADER_ELECTION: 'maybe' });
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(r.status).toBe(2);
    expect(`${r.stdout}${r.stderr}`).toMatch(/ENABLE_LEADER_ELECTION/);
  });

  it('loads the agent module graph', () => {
    const r = run(['--input-type=module', '-e', "await import('./build/agent/cli.js'); console.log('loaded')"], {});
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(r.stdout.trim()).toBe('loaded');
  });
});
