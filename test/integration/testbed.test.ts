/**
 * Acceptance of the test bed (issue 3): the apiserver that every integration test talks to
 * enforces RBAC and optimistic concurrency like a real cluster, and kube-controller-manager
 * runs the workload controllers and the garbage collector.
 */
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../../src/kube/api-client.js';
import { isConflict, isNotFound, KubeApiError } from '../../src/kube/api-error.js';
import { runGo, SOURCE_DIR } from '../../testbed/build.js';
import { adminClient, loadTestbed, serviceAccountClient } from '../../testbed/state.js';
import { eventually } from '../support/eventually.js';

interface Meta {
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; ownerReferences?: { uid: string }[] };
}
interface Lease extends Meta {
  spec: { holderIdentity?: string; leaseDurationSeconds?: number };
}
interface List<T> {
  items: T[];
}

const ns = `testbed-${randomBytes(3).toString('hex')}`;
const leases = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
let admin: KubeClient;
let bindy: KubeClient;


/** statusOf returns the HTTP status a call failed with, or 200 when it succeeded. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    if (err instanceof KubeApiError) return err.code;
    throw err;
  }
}

beforeAll(async () => {
  admin = adminClient();
  bindy = serviceAccountClient('bindy');
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});

afterAll(async () => {
  await admin.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  admin.close();
  bindy.close();
});

test('the test bed state names a server and a kubeconfig per identity', () => {
  const state = loadTestbed();
  expect(state.server).toMatch(/^https:\/\//);
  expect(Object.keys(state.kubeconfigs).sort()).toEqual(['admin', 'bindy', 'bindy-agent']);
});

test('the admin creates a Lease; the bindy ServiceAccount is forbidden until a RoleBinding grants it', async () => {
  const created = await admin.create<Lease>(leases, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'bindy-leader' },
    spec: { holderIdentity: 'admin', leaseDurationSeconds: 15 },
  });
  expect(created.metadata.resourceVersion).toBeTruthy();

  expect(await statusOf(bindy.get(`${leases}/bindy-leader`))).toBe(403);

  await admin.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'bindy-leases' },
    rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] }],
  });
  await admin.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'bindy-leases' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'bindy-leases' },
    subjects: [{ kind: 'ServiceAccount', name: 'bindy', namespace: 'dns-system' }],
  });

  // The authorizer sees RBAC objects through an informer: allow a moment for it to catch up.
  const seen = await eventually(() => bindy.get<Lease>(`${leases}/bindy-leader`));
  expect(seen.spec.holderIdentity).toBe('admin');
  // bindy-agent has no binding and stays forbidden.
  const agent = serviceAccountClient('bindy-agent');
  try {
    expect(await statusOf(agent.get(`${leases}/bindy-leader`))).toBe(403);
  } finally {
    agent.close();
  }
});

test('an update carrying a stale resourceVersion is rejected with 409', async () => {
  const current = await admin.create<Lease>(leases, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'cas' },
    spec: { holderIdentity: 'a' },
  });
  const updated = await admin.replace<Lease>(`${leases}/cas`, { ...current, spec: { holderIdentity: 'b' } });
  expect(updated.metadata.resourceVersion).not.toBe(current.metadata.resourceVersion);

  const stale = admin.replace(`${leases}/cas`, { ...current, spec: { holderIdentity: 'c' } });
  await expect(stale).rejects.toMatchObject({ code: 409 });
  await expect(admin.replace(`${leases}/cas`, { ...current, spec: { holderIdentity: 'c' } }).catch((e: unknown) => isConflict(e))).resolves.toBe(true);
  expect((await admin.get<Lease>(`${leases}/cas`)).spec.holderIdentity).toBe('b');
});

test('kube-controller-manager makes a ReplicaSet and Pods for a Deployment and garbage-collects them with it', async () => {
  const labels = { app: 'gc-probe' };
  const deployment = await admin.create<Meta>(`/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'gc-probe' },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'registry.invalid/none:1' }] } },
    },
  });
  const replicaSets = `/apis/apps/v1/namespaces/${ns}/replicasets`;
  const pods = `/api/v1/namespaces/${ns}/pods`;
  const selector = { labelSelector: 'app=gc-probe' };

  const rs = await eventually(async () => {
    const list = await admin.get<List<Meta>>(replicaSets, { query: selector });
    if (list.items.length !== 1) throw new Error(`${list.items.length} ReplicaSets`);
    return list.items[0]!;
  });
  expect(rs.metadata.ownerReferences?.[0]?.uid).toBe(deployment.metadata.uid);
  await eventually(async () => {
    const list = await admin.get<List<Meta>>(pods, { query: selector });
    if (list.items.length !== 2) throw new Error(`${list.items.length} Pods`);
    expect(list.items.every((p) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid)).toBe(true);
  });

  await admin.delete(`/apis/apps/v1/namespaces/${ns}/deployments/gc-probe`, { query: { propagationPolicy: 'Background' } });
  await eventually(async () => {
    const [rsLeft, podsLeft] = [await admin.get<List<Meta>>(replicaSets, { query: selector }), await admin.get<List<Meta>>(pods, { query: selector })];
    if (rsLeft.items.length + podsLeft.items.length > 0) throw new Error(`${rsLeft.items.length} ReplicaSets, ${podsLeft.items.length} Pods left`);
  });
  await expect(admin.get(`/apis/apps/v1/namespaces/${ns}/deployments/gc-probe`).catch((e: unknown) => isNotFound(e))).resolves.toBe(true);
});

test('the test bed build says so when Go is not installed', async () => {
  await expect(runGo(['version'], process.cwd(), { PATH: '/nonexistent' })).rejects.toThrow(/`go` command is not on PATH/);
});

test('the test bed build shows the tail of the Go output when the build fails', async () => {
  await expect(runGo(['build', './no-such-package'], SOURCE_DIR, process.env)).rejects.toThrow(/failed \(exit 1\); last output:\n.*no-such-package/s);
});
