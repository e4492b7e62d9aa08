/** The Dockerfile and the GitOps examples agree with the manifests they ship with. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { BUILT_ENTRY } from '../support/replica.js';
import { find, synthAll } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(`${root}${p}`, 'utf8');
const docs = (p: string) => parseAllDocuments(read(p)).map((d) => d.toJS());

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const pod = find(synthAll('prod'), 'Deployment').spec.template.spec;

  it('builds on node:20-bookworm-slim in two stages and runs build/main.js with the node flags the test replicas use', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(text.match(/^FROM \$\{NODE_IMAGE\} AS (\w+)$/gm)).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE} AS runtime']);
    // The benchmarks and the node tests run replicas with the image's command line.
    expect(JSON.parse(/^ENTRYPOINT (.*)$/m.exec(text)?.[1] ?? 'null')).toEqual(['node', ...BUILT_ENTRY]);
    expect(text).toMatch(/apt-get install -y --no-install-recommends bind9 bind9utils/);
  });

  it('runs as the numeric non-root user the Deployment expects', () => {
    const user = /^USER (\d+):(\d+)$/m.exec(text);
    expect(user).not.toBeNull();
    expect(Number(user![1])).toBe(pod.securityContext.runAsUser);
    expect(Number(user![2])).toBe(pod.securityContext.runAsGroup);
    expect(Number(user![1])).toBeGreaterThan(0);
  });

  it('exposes the metrics and health ports of the Deployment', () => {
    const ports = pod.containers[0].ports.map((p: { containerPort: number }) => p.containerPort);
    expect(text).toMatch(new RegExp(`^EXPOSE ${ports.join(' ')}$`, 'm'));
  });

  it('keeps the build context small', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['node_modules', '.git', 'dist', 'test', '.testbed']) expect(ignored).toContain(p);
  });
});

describe('cdk8s-bindy package', () => {
  it('defaults to the image of the release it ships with: one version for operator, package and image tag', () => {
    const operator = JSON.parse(read('package.json')).version;
    expect(JSON.parse(read('packages/cdk8s-bindy/package.json')).version).toBe(operator);
    expect(find(synthAll('dev'), 'Deployment').spec.template.spec.containers[0].image).toBe(`ghcr.io/firestoned/bindy-ts:${operator}`);
  });
});

describe('GitOps examples', () => {
  it('Argo CD syncs an existing profile with the options the manifests need', () => {
    const [app] = docs('deploy/gitops/argocd-application.yaml');
    expect(app.kind).toBe('Application');
    expect(existsSync(`${root}${app.spec.source.path}/kustomization.yaml`)).toBe(true);
    expect(app.spec.syncPolicy.syncOptions).toEqual(
      expect.arrayContaining(['SkipDryRunOnMissingResource=true', 'ServerSideApply=true', 'CreateNamespace=true']),
    );
    expect(app.spec.destination.namespace).toBe('dns-system');
  });

  it('Flux applies dist/prod from the GitRepository it declares', () => {
    const [repo, ks] = docs('deploy/gitops/flux-kustomization.yaml');
    expect(repo.kind).toBe('GitRepository');
    expect(ks.kind).toBe('Kustomization');
    expect(ks.spec.sourceRef).toEqual({ kind: 'GitRepository', name: repo.metadata.name });
    expect(ks.spec.path).toBe('./dist/prod');
    expect(existsSync(`${root}dist/prod/kustomization.yaml`)).toBe(true);
  });
});
