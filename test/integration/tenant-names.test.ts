/**
 * Tenants cannot collide through generated names or images (real apiserver, controllers in
 * process, one set per namespace): Bind9Instance `adv/b-c` and `adv-b/c` once mapped to the same
 * lease-reader Role and RoleBinding in the lease namespace; an object labelled for another
 * instance is never updated or deleted; a malformed `spec.image` never reaches a pod spec.
 */
import { pino } from 'pino';
import { crossNamespaceName, OWNER_ANNOTATION } from '../../src/controllers/bind9-resources.js';
import { createControllers } from '../../src/controllers/manager.js';
import type { Bind9Instance } from '../../src/crds/types.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import type { Leadership } from '../../src/leader/leadership.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { deleteDnsObjects, ensureNamespace, eventually, holdLease, LEASE_NS, prepareDnsTest } from './dns-support.js';

const LEASE = 'bindy-tenant-names';
const RBAC = `/apis/rbac.authorization.k8s.io/v1/namespaces/${LEASE_NS}`;
const api = (ns: string) => `/apis/bindy.firestoned.io/v1beta1/namespaces/${ns}`;
const leaseReader = (namespace: string, name: string) => crossNamespaceName('bindy-lease-reader', { metadata: { namespace, name } } as Bind9Instance);

interface Rbac {
  metadata: { annotations?: Record<string, string>; labels?: Record<string, string> };
  subjects?: Array<{ name: string; namespace: string }>;
  rules?: Array<{ verbs: string[] }>;
}

/** startControllers runs one controller set for `namespace` until the returned stop is called. */
async function startControllers(admin: KubeClient, leadership: Leadership, namespace: string): Promise<() => Promise<void>> {
  const stop = new AbortController();
  const config = { leaderElection: true, leaseName: LEASE, leaseNamespace: LEASE_NS, watchNamespace: namespace };
  const set = createControllers({ client: admin, log: pino({ level: 'silent' }), metrics: new OperatorMetrics({ defaultMetrics: false }), config, tuning: { resyncMs: 1_000, agentImage: 'bindy:test' } });
  const runs = [set.informers.start(stop.signal)];
  await eventually(() => {
    if (!set.informers.ready?.()) throw new Error('informers not synced');
  }, 10_000, 50);
  runs.push(set.reconcilers(leadership).start(stop.signal));
  return async () => {
    stop.abort();
    await Promise.all(runs);
  };
}

const instance = (namespace: string, name: string, spec: object = {}) => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name, namespace }, spec: { clusterRef: 'tenant', role: 'primary', replicas: 1, ...spec } });

describe('generated names and images across tenants (real apiserver)', () => {
  let admin: KubeClient;
  let unlock: () => void = () => undefined;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest('adv'));
    await ensureNamespace(admin, 'adv-b');
    const leadership = await holdLease(admin, LEASE, 'tenant-names', 1);
    for (const ns of ['adv', 'adv-b']) stops.push(await startControllers(admin, leadership, ns));
  }, 120_000);

  afterAll(async () => {
    for (const ns of ['adv', 'adv-b']) await deleteDnsObjects(admin, api(ns), [`${api(ns)}/bind9instances/b-c`, `${api(ns)}/bind9instances/c`, `${api(ns)}/bind9instances/img`, `${api(ns)}/bind9instances/squatted`], 15_000);
    for (const stop of stops) await stop();
    await admin.delete(`${RBAC}/roles/${leaseReader('adv', 'squatted')}`).catch(() => undefined);
    admin?.close();
    unlock();
  }, 60_000);

  it('adv/b-c and adv-b/c get their own lease-reader Role and RoleBinding; deleting one leaves the other', async () => {
    await admin.create(`${api('adv')}/bind9instances`, instance('adv', 'b-c'));
    await admin.create(`${api('adv-b')}/bind9instances`, instance('adv-b', 'c'));
    const [mine, theirs] = [leaseReader('adv', 'b-c'), leaseReader('adv-b', 'c')];
    expect(mine).not.toBe(theirs);
    await eventually(async () => {
      for (const [name, ns, sa] of [[mine, 'adv', 'b-c'], [theirs, 'adv-b', 'c']] as const) {
        const binding = await admin.get<Rbac>(`${RBAC}/rolebindings/${name}`);
        expect(binding.subjects).toEqual([expect.objectContaining({ name: sa, namespace: ns })]);
        expect(binding.metadata.annotations?.[OWNER_ANNOTATION]).toBe(`${ns}/${sa}`);
        expect(binding.metadata.labels).toMatchObject({ 'bindy.firestoned.io/instance': sa, 'bindy.firestoned.io/instance-namespace': ns });
        await admin.get(`${RBAC}/roles/${name}`);
      }
    }, 20_000);
    await admin.delete(`${api('adv')}/bind9instances/b-c`);
    await eventually(async () => {
      await expect(admin.get(`${api('adv')}/bind9instances/b-c`)).rejects.toMatchObject({ code: 404 });
      await expect(admin.get(`${RBAC}/rolebindings/${mine}`)).rejects.toMatchObject({ code: 404 });
    }, 20_000);
    const survivor = await admin.get<Rbac>(`${RBAC}/rolebindings/${theirs}`);
    expect(survivor.subjects).toEqual([expect.objectContaining({ name: 'c', namespace: 'adv-b' })]);
  }, 60_000);

  it('never updates or deletes an object under its name that is labelled for another instance', async () => {
    const name = leaseReader('adv', 'squatted');
    const foreign = { 'app.kubernetes.io/managed-by': 'bindy', 'bindy.firestoned.io/instance': 'c', 'bindy.firestoned.io/instance-namespace': 'adv-b' };
    await admin.create(`${RBAC}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, labels: foreign, annotations: { [OWNER_ANNOTATION]: 'adv-b/c', 'bindy.firestoned.io/desired-hash': 'other' } },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
    });
    await admin.create(`${api('adv')}/bind9instances`, instance('adv', 'squatted'));
    // The instance's other objects are made; the foreign Role stays exactly as it was.
    await eventually(() => admin.get(`/api/v1/namespaces/adv/serviceaccounts/squatted`), 20_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const kept = await admin.get<Rbac>(`${RBAC}/roles/${name}`);
    expect(kept.metadata.annotations?.[OWNER_ANNOTATION]).toBe('adv-b/c');
    expect(kept.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }]);
    await admin.delete(`${api('adv')}/bind9instances/squatted`);
    await eventually(() => expect(admin.get(`${api('adv')}/bind9instances/squatted`)).rejects.toMatchObject({ code: 404 }), 20_000);
    expect((await admin.get<Rbac>(`${RBAC}/roles/${name}`)).metadata.annotations?.[OWNER_ANNOTATION]).toBe('adv-b/c');
  }, 60_000);

  it('reports a malformed spec.image.image as Ready=False InvalidImage and writes no Deployment', async () => {
    await admin.create(`${api('adv')}/bind9instances`, instance('adv', 'img', { image: { image: 'x\ny' } }));
    const ready = await eventually(async () => {
      const got = await admin.get<{ status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } }>(`${api('adv')}/bind9instances/img`);
      const c = got.status?.conditions?.find((x) => x.type === 'Ready');
      if (!c) throw new Error('no Ready condition yet');
      return c;
    }, 20_000);
    expect(ready).toMatchObject({ status: 'False', reason: 'InvalidImage' });
    expect(ready.message).toMatch(/^spec\.image\.image contains .*line break/);
    await expect(admin.get('/apis/apps/v1/namespaces/adv/deployments/img')).rejects.toMatchObject({ code: 404 });
    await admin.mergePatch(`${api('adv')}/bind9instances/img`, { spec: { image: { image: 'registry.example.com:5000/dns/bind9:9.18' } } });
    const deployment = await eventually(() => admin.get<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>('/apis/apps/v1/namespaces/adv/deployments/img'), 20_000);
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('registry.example.com:5000/dns/bind9:9.18');
  }, 60_000);

  // The bed's bridge CNI does not enforce NetworkPolicy: this checks the object the apiserver
  // stores and what it selects, not dropped packets (docs/security.md).
  it('gives each instance a NetworkPolicy: DNS open, the agent port only from the operator\'s pods', async () => {
    type Policy = { metadata: { ownerReferences?: Array<{ kind: string; name: string }> }; spec: { podSelector: { matchLabels: Record<string, string> }; ingress: Array<{ from?: unknown[]; ports: Array<{ port: number; protocol: string }> }> } };
    const policy = await eventually(() => admin.get<Policy>('/apis/networking.k8s.io/v1/namespaces/adv/networkpolicies/img'), 20_000);
    expect(policy.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Bind9Instance', name: 'img' })]);
    const deployment = await admin.get<{ spec: { template: { metadata: { labels: Record<string, string> } } } }>('/apis/apps/v1/namespaces/adv/deployments/img');
    expect(deployment.spec.template.metadata.labels).toMatchObject(policy.spec.podSelector.matchLabels);
    expect(policy.spec.ingress).toEqual([
      { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': LEASE_NS } }, podSelector: { matchLabels: { app: 'bindy' } } }], ports: [{ protocol: 'TCP', port: 8053 }] },
    ]);
  }, 60_000);
});
