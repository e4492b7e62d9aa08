/**
 * profile-overlay.ts: how the bed deploys a dist/ profile as a user would — a kustomize overlay
 * whose only change is an `images:` entry naming the image built here from our Dockerfile — plus
 * stub Prometheus Operator CRDs, since dist/ ships a ServiceMonitor and a PrometheusRule and a
 * cluster that runs dist/ has that operator's CRDs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));
/** RELEASE_IMAGE is the name every dist/ profile gives the operator image. */
export const RELEASE_IMAGE = 'ghcr.io/firestoned/bindy-ts';

/** writeProfileOverlay writes <dir>/overlay-<profile>/ and returns the commands that apply it. */
export function writeProfileOverlay(dir: string, profile: string, image: string): { overlay: string; commands: string[] } {
  const overlay = join(dir, `overlay-${profile}`);
  mkdirSync(overlay, { recursive: true });
  const colon = image.lastIndexOf(':');
  writeFileSync(join(overlay, 'kustomization.yaml'), [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    `  - ${relative(overlay, join(REPO, 'dist', profile))}`,
    'images:',
    `  - name: ${RELEASE_IMAGE}`,
    `    newName: ${image.slice(0, colon)}`,
    `    newTag: "${image.slice(colon + 1)}"`,
    '',
  ].join('\n'));
  const crds = join(overlay, 'prometheus-operator-crds.yaml');
  writeFileSync(crds, [['servicemonitors', 'ServiceMonitor'], ['prometheusrules', 'PrometheusRule']].map(([plural, kind]) => [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    `metadata: {name: ${plural}.monitoring.coreos.com}`,
    'spec:',
    '  group: monitoring.coreos.com',
    '  scope: Namespaced',
    `  names: {kind: ${kind}, plural: ${plural}, singular: ${kind?.toLowerCase()}, listKind: ${kind}List}`,
    '  versions:',
    '    - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}',
    '',
  ].join('\n')).join('---\n'));
  return {
    overlay,
    commands: [
      `kubectl apply -f ${crds}`,
      'kubectl wait --for=condition=Established crd/servicemonitors.monitoring.coreos.com crd/prometheusrules.monitoring.coreos.com',
      `kubectl apply --server-side --force-conflicts -k ${overlay}`,
    ],
  };
}
