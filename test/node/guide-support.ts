/**
 * guide-support.ts: running the seed guide's commands (upstream Bindy's "Operator High
 * Availability", docs/src/operations/operator-ha.md) against the bed's real node, on dist/dev
 * applied as a user would: unmodified but for a kustomize `images:` override naming the image
 * built here from our Dockerfile. The guide's command text runs in bash with the bed's kubectl;
 * the one substitution is its namespace `bindy-system` -> dist/'s `dns-system`. Prometheus
 * Operator CRDs are stubbed (dist/ ships a ServiceMonitor and a PrometheusRule; a cluster that
 * runs dist/ has them).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadTestbed } from '../../testbed/state.js';

export const bed = loadTestbed();
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** guide runs one of the guide's command blocks (namespace substituted) and returns its stdout. */
export async function guide(script: string): Promise<string> {
  const text = script.replace(/bindy-system/g, 'dns-system');
  const env = { ...process.env, KUBECONFIG: bed.kubeconfigs.admin, PATH: `${dirname(bed.kubectl ?? '')}:${process.env.PATH ?? ''}` };
  return (await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', text], { env, encoding: 'utf8' })).stdout.trim();
}

export const holder = (): Promise<string> => guide("kubectl get lease -n bindy-system bindy-leader -o jsonpath='{.spec.holderIdentity}'");

/** applyDev applies dist/dev through an overlay that only swaps the image, as a user would. */
export async function applyDev(): Promise<void> {
  const overlay = join(bed.stateDir, 'overlay-dev');
  mkdirSync(overlay, { recursive: true });
  const [name, tag] = (bed.node?.bindyImage ?? '').split(':');
  writeFileSync(join(overlay, 'kustomization.yaml'), [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    `  - ${relative(overlay, join(REPO, 'dist', 'dev'))}`,
    'images:',
    '  - name: ghcr.io/firestoned/bindy-ts',
    `    newName: ${name}`,
    `    newTag: "${tag}"`,
    '',
  ].join('\n'));
  writeFileSync(join(overlay, 'prometheus-crds.yaml'), ['servicemonitors:ServiceMonitor', 'prometheusrules:PrometheusRule'].map((p) => {
    const [plural, kind] = p.split(':');
    return `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${plural}.monitoring.coreos.com\nspec:\n  group: monitoring.coreos.com\n  scope: Namespaced\n  names: {kind: ${kind}, plural: ${plural}, singular: ${kind?.toLowerCase()}, listKind: ${kind}List}\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}\n`;
  }).join('---\n'));
  await guide(`kubectl apply -f ${overlay}/prometheus-crds.yaml && kubectl wait --for=condition=Established crd/servicemonitors.monitoring.coreos.com crd/prometheusrules.monitoring.coreos.com`);
  await guide(`kubectl apply --server-side --force-conflicts -k ${overlay}`);
  await guide('kubectl -n dns-system rollout status deployment/bindy --timeout=120s');
}

/** removeOperator scales the operator to zero, so the next test file starts from a quiet cluster. */
export async function removeOperator(): Promise<void> {
  await guide('kubectl scale deployment -n bindy-system bindy --replicas=0 && kubectl -n dns-system wait --for=delete pod -l app=bindy --timeout=60s').catch(() => undefined);
}
