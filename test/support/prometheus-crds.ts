/**
 * ensurePrometheusOperatorCrds installs stub ServiceMonitor and PrometheusRule CRDs (any object
 * accepted) where the real Prometheus Operator CRDs are absent, so the manifests' monitoring
 * objects can be applied to the test bed. Left installed: other test files share them.
 */
import type { KubeClient } from '../../src/kube/api-client.js';
import { isNotFound } from '../../src/kube/api-error.js';
import { waitEstablished } from '../../testbed/apply.js';

export async function ensurePrometheusOperatorCrds(admin: KubeClient, fieldManager: string): Promise<void> {
  for (const [kind, plural] of [['ServiceMonitor', 'servicemonitors'], ['PrometheusRule', 'prometheusrules']] as const) {
    const name = `${plural}.monitoring.coreos.com`;
    try {
      await admin.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await admin.apply(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`, {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name },
        spec: {
          group: 'monitoring.coreos.com',
          scope: 'Namespaced',
          names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
        },
      }, fieldManager);
    }
    await waitEstablished(admin, name);
  }
}
