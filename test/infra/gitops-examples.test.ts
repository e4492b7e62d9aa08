/**
 * Every object in deploy/gitops/*.yaml validates against the schema of its kind: Argo CD's
 * (@kubernetes-models/argo-cd), Flux's (@kubernetes-models/flux-cd) or Kubernetes' own
 * (kubernetes-models), and the Argo CD plugin's embedded ConfigManagementPlugin has the fields
 * the CMP server reads. A broken copy of each is rejected, so the validation can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { GitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository';
import { OCIRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/OCIRepository';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { parse, parseAllDocuments } from 'yaml';

const dir = fileURLToPath(new URL('../../deploy/gitops/', import.meta.url));
type Doc = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: any };

/** MODELS maps apiVersion/kind to a model whose validate() throws on a schema violation. */
const MODELS: Record<string, (doc: Doc) => { validate(): void }> = {
  'argoproj.io/v1alpha1/Application': (d) => new Application(d as never),
  'source.toolkit.fluxcd.io/v1/GitRepository': (d) => new GitRepository(d as never),
  'source.toolkit.fluxcd.io/v1/OCIRepository': (d) => new OCIRepository(d as never),
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': (d) => new Kustomization(d as never),
  'v1/ConfigMap': (d) => new ConfigMap(d as never),
};

const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const objects = examples.flatMap((file) =>
  parseAllDocuments(readFileSync(`${dir}${file}`, 'utf8')).map((d) => [file, d.toJS() as Doc] as const),
);
const validate = (doc: Doc) => {
  const model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  model(doc).validate();
};

describe('GitOps examples in deploy/gitops', () => {
  it('cover Argo CD, Flux, and a repository that runs cdk8s synth itself', () => {
    expect(examples).toEqual(['argocd-application.yaml', 'argocd-cdk8s-plugin.yaml', 'flux-kustomization.yaml', 'flux-oci.yaml']);
  });

  it.each(objects.map(([file, doc]) => [`${file}: ${doc.kind} ${doc.metadata.name}`, doc] as const))(
    '%s validates against the schema of its kind',
    (_name, doc) => {
      expect(() => validate(doc)).not.toThrow();
    },
  );

  it.each<[string, (d: Doc) => Doc]>([
    ['Application without a destination', (d) => ({ ...d, spec: { ...d.spec, destination: undefined } })],
    ['Application with automated sync as a string', (d) => ({ ...d, spec: { ...d.spec, syncPolicy: { automated: 'yes' } } })],
  ])('rejects an %s', (_name, breakIt) => {
    const app = objects.find(([, d]) => d.kind === 'Application')![1];
    expect(() => validate(breakIt(structuredClone(app)))).toThrow();
  });

  it.each<[string, (d: Doc) => Doc]>([
    ['Kustomization without a sourceRef', (d) => ({ ...d, spec: { ...d.spec, sourceRef: undefined } })],
    ['Kustomization with prune as a string', (d) => ({ ...d, spec: { ...d.spec, prune: 'yes' } })],
  ])('rejects a %s', (_name, breakIt) => {
    const ks = objects.find(([, d]) => d.kind === 'Kustomization')![1];
    expect(() => validate(breakIt(structuredClone(ks)))).toThrow();
  });

  it('the cdk8s plugin is discovered by cdk8s.yaml, runs the pinned synth offline, and the Application names it', () => {
    const [, cm] = objects.find(([, d]) => d.kind === 'ConfigMap' && d.metadata.name === 'cmp-cdk8s')!;
    const plugin = parse(cm.data['plugin.yaml']);
    expect(plugin).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ConfigManagementPlugin', spec: { discover: { fileName: 'cdk8s.yaml' } } });
    expect(plugin.spec.init.args.join(' ')).toContain('npm ci');
    expect(plugin.spec.generate.args.join(' ')).toContain('npx cdk8s synth --no-check-upgrade');
    const [, app] = objects.find(([f, d]) => f === 'argocd-cdk8s-plugin.yaml' && d.kind === 'Application')!;
    expect(app.spec.source.plugin.name).toBe(`${plugin.metadata.name}-${plugin.spec.version}`);
    expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
  });

  it('the Flux OCI Kustomization applies the artifact its OCIRepository pulls', () => {
    const [, repo] = objects.find(([, d]) => d.kind === 'OCIRepository')!;
    const [, ks] = objects.find(([f, d]) => f === 'flux-oci.yaml' && d.kind === 'Kustomization')!;
    expect(ks.spec.sourceRef).toEqual({ kind: 'OCIRepository', name: repo.metadata.name });
    expect(repo.spec.url).toMatch(/^oci:\/\//);
  });
});
