/**
 * The construct library as a GitOps repository uses it: `npm pack` packages/cdk8s-bindy, install
 * the tarball with the peers and cdk8s-cli into a fresh cdk8s app outside this repository (the
 * example app of packages/cdk8s-bindy/example: its own package.json, cdk8s.yaml and main.ts),
 * typecheck it against the shipped .d.ts, `cdk8s synth`, and `kubectl apply --server-side -k` the
 * output to the test bed. GITOPS_COMMANDS are the commands the user runs, verbatim; the package
 * README must show each of them.
 *
 * Isolation: names in the example are suffixed with this run's id (the test bed is shared).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminClient, loadTestbed } from '../../testbed/state.js';
import { ensurePrometheusOperatorCrds } from '../support/prometheus-crds.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const pkgDir = join(repo, 'packages', 'cdk8s-bindy');
const devDeps = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies as Record<string, string>;
const pinned = (name: string) => `${name}@${devDeps[name]}`;
const run = randomBytes(3).toString('hex');
const names = { name: `bindy-edge-${run}`, namespace: `dns-edge-${run}`, lease: `dns-edge-coordination-${run}` };

/** GITOPS_COMMANDS are run in the app directory, as a GitOps user types them. */
const GITOPS_COMMANDS = [
  `npm install --save-exact ./cdk8s-bindy-0.1.0.tgz ${['cdk8s', 'constructs', 'cdk8s-plus-28'].map(pinned).join(' ')}`,
  `npm install --save-exact --save-dev ${['cdk8s-cli', 'tsx', 'typescript', '@types/node'].map(pinned).join(' ')}`,
  'npx tsc --noEmit',
  'npx cdk8s synth --no-check-upgrade',
  'kubectl apply --server-side -k dist/',
];

let work: string;
let app: string;
let kubeconfig: string;

function sh(command: string, cwd = app): string {
  // --prefer-offline: the npm cache holds these pinned versions; the registry only fills gaps.
  const env = { ...process.env, KUBECONFIG: kubeconfig, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
  const r = spawnSync('bash', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`\`${command}\` exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function kubectlJson(args: string): any {
  return JSON.parse(sh(`kubectl ${args} -o json`));
}

beforeAll(async () => {
  kubeconfig = loadTestbed().kubeconfigs.admin;
  const admin = adminClient();
  try {
    await ensurePrometheusOperatorCrds(admin, 'bindy-package-test');
  } finally {
    admin.close();
  }
  work = mkdtempSync(join(tmpdir(), 'bindy-gitops-'));
  app = join(work, 'dns-platform-gitops');
  cpSync(join(pkgDir, 'example'), app, { recursive: true });
  const main = readFileSync(join(app, 'main.ts'), 'utf8')
    .replace("name: 'bindy-edge'", `name: '${names.name}'`)
    .replace("namespace: 'dns-edge'", `namespace: '${names.namespace}'`)
    .replace("namespace: 'dns-edge-coordination'", `namespace: '${names.lease}'`);
  writeFileSync(join(app, 'main.ts'), main);
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', app], { cwd: pkgDir, encoding: 'utf8' }));
  expect(packed[0].filename).toBe('cdk8s-bindy-0.1.0.tgz');
  for (const command of GITOPS_COMMANDS.slice(0, -1)) sh(command);
}, 400_000);

afterAll(() => {
  if (!app) return;
  spawnSync('bash', ['-c', `kubectl delete ns ${names.namespace} ${names.lease} --ignore-not-found --wait=false; kubectl delete clusterrole,clusterrolebinding ${names.name} --ignore-not-found`], {
    env: { ...process.env, KUBECONFIG: kubeconfig },
  });
  rmSync(work, { recursive: true, force: true });
});

describe('cdk8s-bindy installed from its tarball into a GitOps repository', () => {
  it('ships compiled JS and .d.ts only, with cdk8s, constructs and cdk8s-plus-28 as peers', () => {
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'cdk8s-bindy', 'package.json'), 'utf8'));
    expect(Object.keys(installed.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-28', 'constructs']);
    expect(installed.exports['.']).toEqual({ types: './lib/index.d.ts', import: './lib/index.js' });
    const files = sh('find node_modules/cdk8s-bindy -type f -not -path "*/node_modules/cdk8s-bindy/node_modules/*" | sort').trim().split('\n');
    expect(files.filter((f) => !/\/(lib\/[a-z-]+\.(js|d\.ts)|package\.json|README\.md|LICENSE)$/.test(f))).toEqual([]);
    // The CRD definitions are inlined: nothing of the operator's source is imported.
    expect(readFileSync(join(app, 'node_modules', 'cdk8s-bindy', 'lib', 'index.js'), 'utf8')).not.toMatch(/from ["']\.\.?\//);
  });

  it('synthesizes the custom profile: own namespace, 5 replicas, own registry, own lease namespace', () => {
    const operator = readFileSync(join(app, 'dist', 'operator.yaml'), 'utf8');
    expect(operator).toContain('replicas: 5');
    expect(operator).toContain('image: registry.example.com/platform/bindy-ts:0.1.0');
    expect(readFileSync(join(app, 'dist', 'kustomization.yaml'), 'utf8')).toContain('  - crds.yaml');
  });

  it('server-side-applies to the cluster with kubectl', () => {
    sh(GITOPS_COMMANDS.at(-1)!);
    const d = kubectlJson(`-n ${names.namespace} get deployment ${names.name}`);
    expect(d.spec.replicas).toBe(5);
    expect(d.spec.template.spec.containers[0].image).toBe('registry.example.com/platform/bindy-ts:0.1.0');
    const env = Object.fromEntries(d.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(env.LEASE_NAMESPACE).toBe(names.lease);
    expect(kubectlJson(`-n ${names.lease} get rolebinding ${names.name}-leader-election`).subjects).toEqual([
      { kind: 'ServiceAccount', name: names.name, namespace: names.namespace },
    ]);
    expect(kubectlJson(`get clusterrole ${names.name}`).rules.length).toBeGreaterThan(0);
    expect(kubectlJson(`-n ${names.namespace} get prometheusrule ${'bindy'}`).metadata.labels.release).toBe('kube-prometheus-stack');
    const crd = kubectlJson('get crd dnszones.bindy.firestoned.io');
    expect(crd.status.conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));
  }, 120_000);

  it('fails the synth with the prop and value named when the props are invalid', () => {
    writeFileSync(join(app, 'bad.ts'), readFileSync(join(app, 'main.ts'), 'utf8').replace('replicas: 5', 'replicas: 0'));
    const r = spawnSync('bash', ['-c', 'npx cdk8s synth --no-check-upgrade --app "npx tsx bad.ts" --output bad-dist'], { cwd: app, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('OperatorDeployment: replicas must be an integer in [1, 100], got 0');
  }, 60_000);

  it('is documented with exactly these commands in the package README', () => {
    const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
    for (const command of GITOPS_COMMANDS) expect(readme).toContain(command);
  });
});
