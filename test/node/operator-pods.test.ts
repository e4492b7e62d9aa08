/**
 * The operator as pods, operated with the seed guide's commands (upstream Bindy's "Operator High
 * Availability", docs/src/operations/operator-ha.md). dist/dev is applied unmodified but for a
 * kustomize `images:` override naming the image built here from our Dockerfile; the operator runs
 * as its ServiceAccount with only dist/'s RBAC. Each procedure runs the guide's command text in a
 * shell with the bed's kubectl, with one substitution: the guide's namespace `bindy-system` is
 * dist/'s `dns-system`. Prometheus Operator CRDs are stubbed (dist/ ships a ServiceMonitor and a
 * PrometheusRule; a cluster running dist/ has them).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { KubeClient } from '../../src/kube/api-client.js';
import { adminClient, loadTestbed } from '../../testbed/state.js';
import { dig, eventually } from '../integration/dns-support.js';

const bed = loadTestbed();
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const API = '/apis/bindy.firestoned.io/v1beta1/namespaces/guide';

/** guide runs one of the guide's command blocks (namespace substituted) and returns its stdout. */
async function guide(script: string): Promise<string> {
  const text = script.replace(/bindy-system/g, 'dns-system');
  const env = { ...process.env, KUBECONFIG: bed.kubeconfigs.admin, PATH: `${dirname(bed.kubectl ?? '')}:${process.env.PATH ?? ''}` };
  return (await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', text], { env, encoding: 'utf8' })).stdout.trim();
}

const holder = (): Promise<string> => guide("kubectl get lease -n bindy-system bindy-leader -o jsonpath='{.spec.holderIdentity}'");

/** applyDev applies dist/dev through an overlay that only swaps the image, as a user would. */
async function applyDev(): Promise<void> {
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
  await guide(`kubectl apply --server-side -k ${overlay}`);
}

describe('the seed guide on the operator as pods (dist/dev)', () => {
  let admin: KubeClient;

  beforeAll(async () => {
    admin = adminClient();
    await applyDev();
    await guide('kubectl -n dns-system rollout status deployment/bindy --timeout=120s');
  }, 180_000);

  afterAll(async () => {
    await admin.delete('/api/v1/namespaces/guide').catch(() => undefined);
    admin.close();
  });

  it('Quick Start: scale to 3, all replicas run, one holds the lease', async () => {
    await guide('kubectl scale deployment -n bindy-system bindy --replicas=3');
    await guide('kubectl -n dns-system rollout status deployment/bindy --timeout=120s');
    const pods = await guide('kubectl get pods -n bindy-system -l app=bindy');
    expect(pods.split('\n').filter((l) => / Running /.test(l))).toHaveLength(3);
    const leader = await eventually(async () => {
      const h = await holder();
      expect(h).toMatch(/^bindy-/);
      return h;
    }, 30_000, 250);
    expect(pods).toContain(leader);
  }, 180_000);

  it('Check Current Leader and View Lease Details', async () => {
    const leader = await holder();
    expect(await guide(`kubectl get pod -n bindy-system ${leader}`)).toMatch(new RegExp(`${leader}\\s+1/1\\s+Running`));
    const yaml = await guide('kubectl get lease -n bindy-system bindy-leader -o yaml');
    expect(yaml).toContain(`holderIdentity: ${leader}`);
    expect(yaml).toContain('leaseDurationSeconds: 15');
    // The guide's log lines: the standbys say who leads.
    const logs = await guide('kubectl logs -n bindy-system -l app=bindy --tail=-1 --prefix');
    expect(logs).toContain(`Lease already held by ${leader}`);
  }, 60_000);

  it('Simulated Leader Failure: a standby leads, the API answers, DNS keeps being served', async () => {
    await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'guide' } }).catch(() => undefined);
    await admin.create(`${API}/bind9instances`, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'dns', namespace: 'guide', labels: { dns: 'guide' } }, spec: { replicas: 1 } });
    await admin.create(`${API}/dnszones`, {
      apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name: 'guide', namespace: 'guide' },
      spec: { zoneName: 'guide.test', instanceSelector: { matchLabels: { dns: 'guide' } }, recordSelector: { matchLabels: { zone: 'guide' } }, ttl: 60, soaRecord: { primaryNs: 'ns1.guide.test', adminEmail: 'hostmaster@guide.test' } },
    });
    const arecord = (name: string, ip: string) => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name, namespace: 'guide', labels: { zone: 'guide' } }, spec: { name, ipv4Address: ip } });
    await admin.create(`${API}/arecords`, arecord('ns1', '192.0.2.53'));
    await admin.create(`${API}/arecords`, arecord('before', '192.0.2.1'));
    const podIp = await eventually(async () => {
      const ip = await guide("kubectl -n guide get pods -l app.kubernetes.io/name=bind9 -o jsonpath='{.items[0].status.podIP}'");
      expect(dig(ip, 'before.guide.test', 'A')).toBe('192.0.2.1');
      return ip;
    }, 90_000, 500);

    const old = await guide(`LEADER=$(kubectl get lease -n bindy-system bindy-leader \\
  -o jsonpath='{.spec.holderIdentity}')
echo "Current leader: $LEADER"`);
    const leader = old.replace('Current leader: ', '');
    const started = Date.now();
    await guide(`kubectl delete pod -n bindy-system ${leader} --wait=false`);
    const next = await eventually(async () => {
      const h = await holder();
      expect(h).not.toBe(leader);
      expect(h).toMatch(/^bindy-/);
      return h;
    }, 60_000, 50);
    process.stderr.write(`seed guide, Simulated Leader Failure: kubectl delete pod ${leader} → ${next} leads after ${Date.now() - started} ms\n`);
    expect(await guide('kubectl get bind9instances -A')).toContain('dns');
    expect(await guide('kubectl get dnszones -A')).toContain('guide');
    await admin.create(`${API}/arecords`, arecord('after', '192.0.2.2'));
    await eventually(() => expect(dig(podIp, 'after.guide.test', 'A')).toBe('192.0.2.2'), 60_000, 250);
    process.stderr.write(`seed guide: a record created after the failover is served by named ${Date.now() - started} ms after the delete\n`);
  }, 240_000);
});
