/**
 * Bindy-TS for the "edge" clusters: the prod profile with five replicas in namespace dns-edge,
 * the image mirrored into our own registry, and the leader-election Lease in a namespace of its
 * own. `cdk8s synth` writes dist/{crds,cluster,operator,monitoring}.yaml and a kustomization.yaml
 * for Argo CD / Flux.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { IMAGE, PROFILES, addBindyCharts, kustomization } from 'cdk8s-bindy';

const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.yaml' });
addBindyCharts(app, {
  ...PROFILES.prod,
  name: 'bindy-edge',
  namespace: 'dns-edge',
  replicas: 5,
  spread: 'hostname',
  image: { repository: 'registry.example.com/platform/bindy-ts', tag: IMAGE.tag },
  lease: { namespace: 'dns-edge-coordination' },
  prometheusLabels: { release: 'kube-prometheus-stack' },
});
app.synth();
writeFileSync(join(app.outdir, 'kustomization.yaml'), kustomization());
