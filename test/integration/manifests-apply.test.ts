/**
 * The synthesized manifests against a real apiserver: every profile server-side applies cleanly,
 * the CRD schemas accept valid input and reject invalid input, and the operator's RBAC allows
 * what the operator does and nothing else it does not need (SubjectAccessReview).
 *
 * Isolation: other test files share this apiserver, so each profile is applied into its own
 * namespace (every `dns-system` rewritten) with suffixed cluster-scoped RBAC names, and the
 * subject is `system:serviceaccount:<that namespace>:bindy`. The bindy CRDs (and stub
 * Prometheus Operator CRDs when absent) are applied as-is and left installed: other tests use them.
 */
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../../src/kube/api-client.js';
import { KubeApiError } from '../../src/kube/api-error.js';
import { customResourceDefinitions, resourcePath, type Kind } from '../../src/crds/index.js';
import { PROFILE_NAMES, PROFILES, type ProfileName } from '../../packages/cdk8s-bindy/src/index.js';
import { adminClient } from '../../testbed/state.js';
import { CLUSTER_SCOPED, synthAll, type Manifest } from '../infra/helpers.js';
import { eventually } from '../support/eventually.js';
import { waitEstablished } from '../../testbed/apply.js';
import { ensurePrometheusOperatorCrds } from '../support/prometheus-crds.js';

const MANAGER = 'bindy-manifests-test';
const run = randomBytes(3).toString('hex');
const nsOf = (p: ProfileName) => `manifests-${p}-${run}`;
let admin: KubeClient;

const PATHS: Record<string, [group: string, plural: string]> = {
  Namespace: ['/api/v1', 'namespaces'],
  ServiceAccount: ['/api/v1', 'serviceaccounts'],
  Service: ['/api/v1', 'services'],
  Deployment: ['/apis/apps/v1', 'deployments'],
  PodDisruptionBudget: ['/apis/policy/v1', 'poddisruptionbudgets'],
  ClusterRole: ['/apis/rbac.authorization.k8s.io/v1', 'clusterroles'],
  ClusterRoleBinding: ['/apis/rbac.authorization.k8s.io/v1', 'clusterrolebindings'],
  Role: ['/apis/rbac.authorization.k8s.io/v1', 'roles'],
  RoleBinding: ['/apis/rbac.authorization.k8s.io/v1', 'rolebindings'],
  CustomResourceDefinition: ['/apis/apiextensions.k8s.io/v1', 'customresourcedefinitions'],
  ServiceMonitor: ['/apis/monitoring.coreos.com/v1', 'servicemonitors'],
  PrometheusRule: ['/apis/monitoring.coreos.com/v1', 'prometheusrules'],
};

/** pathOf returns the object URL of a manifest. */
function pathOf(o: Manifest): string {
  const [base, plural] = PATHS[o.kind] ?? [];
  if (!base) throw new Error(`no path for ${o.kind}`);
  const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : '';
  return `${base}${ns}/${plural}/${o.metadata.name}`;
}

/** isolate rewrites a profile into namespace `ns`, suffixing the cluster-scoped RBAC names. */
function isolate(objects: Manifest[], ns: string): Manifest[] {
  const rename = (_name: string) => `bindy-${ns}`;
  const swap = (v: unknown): unknown =>
    v === 'dns-system' ? ns : Array.isArray(v) ? v.map(swap) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)])) : v;
  return objects
    .filter((o) => o.kind !== 'CustomResourceDefinition')
    .map((o) => swap(o) as Manifest)
    .map((o) => {
      if (o.kind === 'ClusterRole') return { ...o, metadata: { ...o.metadata, name: rename(o.metadata.name) } };
      if (o.kind === 'ClusterRoleBinding') {
        return { ...o, metadata: { ...o.metadata, name: rename(o.metadata.name) }, roleRef: { ...o.roleRef, name: rename(o.roleRef.name) } };
      }
      return o;
    });
}


beforeAll(async () => {
  admin = adminClient();
  await ensurePrometheusOperatorCrds(admin, MANAGER);
  for (const crd of customResourceDefinitions()) {
    await admin.apply(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, crd, MANAGER);
  }
  for (const crd of customResourceDefinitions()) await waitEstablished(admin, crd.metadata.name);
}, 60_000);

afterAll(async () => {
  for (const p of PROFILE_NAMES) {
    await admin.delete(`/api/v1/namespaces/${nsOf(p)}`).catch(() => undefined);
    for (const kind of ['clusterrolebindings', 'clusterroles']) {
      await admin.delete(`/apis/rbac.authorization.k8s.io/v1/${kind}/bindy-${nsOf(p)}`).catch(() => undefined);
    }
  }
  admin.close();
});

describe.each(PROFILE_NAMES)('profile %s', (profile) => {
  const ns = nsOf(profile);
  const objects = isolate(synthAll(profile), ns);

  it('server-side applies every object, and the apiserver keeps what was sent', async () => {
    for (const o of objects) {
      expect(o.metadata.namespace).toBe(CLUSTER_SCOPED.has(o.kind) ? undefined : ns);
      await admin.apply(pathOf(o), o, MANAGER);
    }
    const d = await admin.get<Manifest>(`/apis/apps/v1/namespaces/${ns}/deployments/bindy`);
    expect(d.spec.replicas).toBe(PROFILES[profile].replicas);
    expect(d.spec.template.spec.containers[0].resources).toEqual({ requests: PROFILES[profile].requests, limits: PROFILES[profile].limits });
    // A second apply of the same objects is a no-op (stable names, no generated fields).
    for (const o of objects) await admin.apply(pathOf(o), o, MANAGER);
    const again = await admin.get<Manifest>(`/apis/apps/v1/namespaces/${ns}/deployments/bindy`);
    expect(again.metadata.generation).toBe(d.metadata.generation);
  });
});

// ---------------------------------------------------------------------------------------------
// RBAC, judged by the apiserver's own authorizer

interface Attrs {
  verb: string;
  resource: string;
  group?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

async function allowed(ns: string, a: Attrs): Promise<boolean> {
  const review = await admin.create<{ status: { allowed: boolean } }>('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: `system:serviceaccount:${ns}:bindy`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      resourceAttributes: { group: a.group ?? '', ...a },
    },
  });
  return review.status.allowed;
}

const B = 'bindy.firestoned.io';
const L = 'coordination.k8s.io';
const MUST: Array<[string, (ns: string) => Attrs]> = [
  ['get its lease', (ns) => ({ verb: 'get', group: L, resource: 'leases', namespace: ns, name: 'bindy-leader' })],
  ['get leases of the lease namespace (the guide\'s `kubectl auth can-i get leases`)', (ns) => ({ verb: 'get', group: L, resource: 'leases', namespace: ns })],
  ['create the lease', (ns) => ({ verb: 'create', group: L, resource: 'leases', namespace: ns })],
  ['update its lease', (ns) => ({ verb: 'update', group: L, resource: 'leases', namespace: ns, name: 'bindy-leader' })],
  ['patch its lease', (ns) => ({ verb: 'patch', group: L, resource: 'leases', namespace: ns, name: 'bindy-leader' })],
  ['watch its lease by name', (ns) => ({ verb: 'watch', group: L, resource: 'leases', namespace: ns, name: 'bindy-leader' })],
  ['watch DNSZones in all namespaces', () => ({ verb: 'watch', group: B, resource: 'dnszones' })],
  ['list records in all namespaces', () => ({ verb: 'list', group: B, resource: 'srvrecords' })],
  ['patch DNSZone status', () => ({ verb: 'patch', group: B, resource: 'dnszones', subresource: 'status', namespace: 'team-a' })],
  ['update Bind9Instance finalizers (owner references that block deletion)', () => ({ verb: 'update', group: B, resource: 'bind9instances', subresource: 'finalizers', namespace: 'team-a' })],
  ['patch a Bind9Instance (finalizers)', () => ({ verb: 'patch', group: B, resource: 'bind9instances', namespace: 'team-a' })],
  ["create a Bind9Cluster's Bind9Instances", () => ({ verb: 'create', group: B, resource: 'bind9instances', namespace: 'team-a' })],
  ["create a ClusterBind9Provider's Bind9Cluster", () => ({ verb: 'create', group: B, resource: 'bind9clusters', namespace: 'team-a' })],
  ['watch ClusterBind9Providers', () => ({ verb: 'watch', group: B, resource: 'clusterbind9providers' })],
  ['create Deployments', () => ({ verb: 'create', group: 'apps', resource: 'deployments', namespace: 'team-a' })],
  ["create an instance's NetworkPolicy", () => ({ verb: 'create', group: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'team-a' })],
  ["update an instance's NetworkPolicy", () => ({ verb: 'update', group: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'team-a', name: 'x' })],
  ['update ConfigMaps', () => ({ verb: 'update', resource: 'configmaps', namespace: 'team-a', name: 'x' })],
  ['create Secrets', () => ({ verb: 'create', resource: 'secrets', namespace: 'team-a' })],
  ['create ServiceAccounts', () => ({ verb: 'create', resource: 'serviceaccounts', namespace: 'team-a' })],
  ['list Pods (why a rollout is not ready)', () => ({ verb: 'list', resource: 'pods', namespace: 'team-a' })],
  ['watch Pods (push only to pods the instance\'s Deployment made)', () => ({ verb: 'watch', resource: 'pods' })],
  ['watch ReplicaSets (the same check)', () => ({ verb: 'watch', group: 'apps', resource: 'replicasets' })],
  ['get its own Pod (the agent sidecar image)', (ns) => ({ verb: 'get', resource: 'pods', namespace: ns, name: 'bindy-0' })],
  ['list EndpointSlices', () => ({ verb: 'list', group: 'discovery.k8s.io', resource: 'endpointslices' })],
  ['create Events', () => ({ verb: 'create', resource: 'events', namespace: 'team-a' })],
  ['create Roles in the lease namespace', (ns) => ({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: ns })],
  ['update RoleBindings in the lease namespace', (ns) => ({ verb: 'update', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: ns, name: 'x' })],
];
const MUST_NOT: Array<[string, (ns: string) => Attrs]> = [
  ['delete the lease', (ns) => ({ verb: 'delete', group: L, resource: 'leases', namespace: ns, name: 'bindy-leader' })],
  ['list all leases of its namespace', (ns) => ({ verb: 'list', group: L, resource: 'leases', namespace: ns })],
  ['list its lease by name (it only watches it)', (ns) => ({ verb: 'list', group: L, resource: 'leases', namespace: ns, name: 'bindy-leader' })],
  ['get a lease outside the lease namespace', () => ({ verb: 'get', group: L, resource: 'leases', namespace: 'kube-system', name: 'kube-scheduler' })],
  ['create Roles in a tenant namespace', () => ({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: 'team-a' })],
  ['update RoleBindings in a tenant namespace', () => ({ verb: 'update', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'team-a', name: 'x' })],
  ['delete ConfigMaps', () => ({ verb: 'delete', resource: 'configmaps', namespace: 'team-a' })],
  ['update Secrets', () => ({ verb: 'update', resource: 'secrets', namespace: 'team-a', name: 'x' })],
  ['delete Secrets', () => ({ verb: 'delete', resource: 'secrets', namespace: 'team-a', name: 'x' })],
  ['delete Deployments', () => ({ verb: 'delete', group: 'apps', resource: 'deployments', namespace: 'team-a', name: 'x' })],
  ['delete NetworkPolicies (the garbage collector does)', () => ({ verb: 'delete', group: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'team-a', name: 'x' })],
  ['list or watch NetworkPolicies', () => ({ verb: 'list', group: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'team-a' })],
  ['patch NetworkPolicies', () => ({ verb: 'patch', group: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'team-a', name: 'x' })],
  ['patch records (they carry no finalizer)', () => ({ verb: 'patch', group: B, resource: 'arecords', namespace: 'team-a', name: 'x' })],
  ['update record finalizers', () => ({ verb: 'update', group: B, resource: 'arecords', subresource: 'finalizers', namespace: 'team-a' })],
  ['create or delete ReplicaSets', () => ({ verb: 'create', group: 'apps', resource: 'replicasets', namespace: 'team-a' })],
  ['get a ReplicaSet (it reads them from its cache)', () => ({ verb: 'get', group: 'apps', resource: 'replicasets', namespace: 'team-a', name: 'x' })],
  ['get a Pod', () => ({ verb: 'get', resource: 'pods', namespace: 'team-a', name: 'x' })],
  ['watch or update Pods in its own namespace', (ns) => ({ verb: 'update', resource: 'pods', namespace: ns, name: 'bindy-0' })],
  ['update bindy resources (only merge patches)', () => ({ verb: 'update', group: B, resource: 'dnszones', namespace: 'team-a', name: 'x' })],
  ['watch another lease', (ns) => ({ verb: 'watch', group: L, resource: 'leases', namespace: ns, name: 'other' })],
  ['update leases in kube-system', () => ({ verb: 'update', group: L, resource: 'leases', namespace: 'kube-system', name: 'kube-scheduler' })],
  ['create ClusterRoles', () => ({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' })],
  ['create ClusterRoleBindings', () => ({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' })],
  ['escalate Roles', () => ({ verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: 'team-a' })],
  ['delete DNSZones', () => ({ verb: 'delete', group: B, resource: 'dnszones', namespace: 'team-a' })],
  ['create records', () => ({ verb: 'create', group: B, resource: 'arecords', namespace: 'team-a' })],
  ['delete CRDs', () => ({ verb: 'delete', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', name: 'dnszones.bindy.firestoned.io' })],
  ['create Pods', () => ({ verb: 'create', resource: 'pods', namespace: 'team-a' })],
  ['exec into Pods', () => ({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'team-a' })],
  ['delete Pods', () => ({ verb: 'delete', resource: 'pods', namespace: 'team-a' })],
  ['write EndpointSlices', () => ({ verb: 'create', group: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'team-a' })],
  ['touch Nodes', () => ({ verb: 'get', resource: 'nodes' })],
  ['delete Namespaces', () => ({ verb: 'delete', resource: 'namespaces', name: 'team-a' })],
  ['impersonate users', () => ({ verb: 'impersonate', resource: 'users' })],
  ['create tokens for ServiceAccounts', () => ({ verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'team-a' })],
];

describe('operator RBAC (SubjectAccessReview on the prod profile)', () => {
  const ns = nsOf('prod');
  beforeAll(async () => {
    // The profile test above applies it; re-apply so this block also runs alone (-t).
    for (const o of isolate(synthAll('prod'), ns)) await admin.apply(pathOf(o), o, MANAGER);
  });

  it.each(MUST)('lets the operator %s', async (_name, attrs) => {
    await eventually(async () => expect(await allowed(ns, attrs(ns))).toBe(true));
  });

  it.each(MUST_NOT)('does not let the operator %s', async (_name, attrs) => {
    // First wait until the grants are live, so a "denied" is not just a cold RBAC cache.
    await eventually(async () => expect(await allowed(ns, MUST[0]![1](ns))).toBe(true));
    expect(await allowed(ns, attrs(ns))).toBe(false);
  });

  it('grants Secrets cluster-wide (documented): kube-system Secrets are readable', async () => {
    await eventually(async () => expect(await allowed(ns, { verb: 'get', resource: 'secrets', namespace: 'kube-system', name: 'x' })).toBe(true));
  });
});

// ---------------------------------------------------------------------------------------------
// CRD schemas, judged by the apiserver's validation (dry run: nothing is stored)

const ns = `manifests-crs-${run}`;
const obj = (kind: Kind, name: string, spec: unknown) => ({ apiVersion: `${B}/v1beta1`, kind, metadata: { name, namespace: ns }, spec });
async function dryRunCreate(kind: Kind, spec: unknown): Promise<Manifest> {
  return admin.create<Manifest>(resourcePath(kind, ns), obj(kind, `x-${randomBytes(2).toString('hex')}`, spec), { query: { dryRun: 'All' } });
}

const SOA = { primaryNs: 'ns1.example.com.', adminEmail: 'admin.example.com.', serial: 2026010101, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 86400 };
const zone = { zoneName: 'example.com', soaRecord: SOA, clusterRef: 'production-dns', recordsFrom: [{ selector: { matchLabels: { zone: 'example.com' } } }] };
const instance = { clusterRef: 'production-dns', role: 'primary' };

/** strictCreate dry-runs a create the way kubectl does (unknown fields are errors, not silently pruned). */
async function strictCreate(kind: Kind, spec: unknown): Promise<Manifest> {
  return admin.create<Manifest>(resourcePath(kind, ns), obj(kind, `x-${randomBytes(2).toString('hex')}`, spec), { query: { dryRun: 'All', fieldValidation: 'Strict' } });
}

describe('CRD validation by the apiserver', () => {
  beforeAll(async () => {
    await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });
  afterAll(async () => {
    await admin.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  });

  it("fills upstream's defaults", async () => {
    const b9 = await dryRunCreate('Bind9Instance', { ...instance, rndcSecretRef: { name: 'k' }, storage: {} });
    expect(b9.spec).toEqual({ ...instance, rndcSecretRef: { name: 'k', algorithm: 'hmac-sha256', keyNameKey: 'key-name', secretKey: 'secret' }, storage: { storageType: 'emptyDir' } });
    const cluster = await dryRunCreate('Bind9Cluster', { primary: { replicas: 1 } });
    expect(cluster.spec).toEqual({ version: '9.18', primary: { replicas: 1 } });
    const dz = await dryRunCreate('DNSZone', zone);
    expect(dz.spec).toEqual(zone);
  });

  it.each<[Kind, unknown]>([
    ['DNSZone', { ...zone, zoneName: '1.168.192.in-addr.arpa', nameServers: [{ hostname: 'ns2.example.com.', ipv4Address: '192.0.2.2' }, { hostname: 'ns.example.net.' }] }],
    ['DNSZone', { zoneName: 'Example.COM', soaRecord: SOA, bind9InstancesFrom: [{ selector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['primary'] }] } }] }],
    ['DNSZone', { ...zone, nameServerIps: { 'ns1.example.com.': '192.0.2.1' }, dnssecPolicy: 'none', ttl: 300, clusterRef: null }],
    ['ARecord', { name: '@', ipv4Addresses: ['192.0.2.1', '192.0.2.2'], ttl: 300 }],
    ['AAAARecord', { name: 'www', ipv6Addresses: ['2001:db8::1'] }],
    ['CNAMERecord', { name: 'www', target: 'web.example.com.' }],
    ['MXRecord', { name: '@', priority: 10, mailServer: 'mx1.example.com.' }],
    ['TXTRecord', { name: '_dmarc', text: ['v=DMARC1; p=reject; rua=mailto:d@example.com'] }],
    ['NSRecord', { name: 'sub', nameserver: 'ns1.sub.example.com.' }],
    ['SRVRecord', { name: '_sip._tcp', priority: 10, weight: 5, port: 5060, target: 'sip.example.com.' }],
    ['CAARecord', { name: '@', flags: 0, tag: 'issue', value: 'letsencrypt.org' }],
    ['Bind9Instance', { ...instance, replicas: 3, config: { allowQuery: ['10.0.0.0/8', '!192.168.0.1', 'localnets'], allowTransfer: ['2001:db8::/32'] } }],
    ['Bind9Cluster', { version: '9.18', primary: { replicas: 1 }, secondary: { replicas: 2 }, global: { recursion: false } }],
  ])('accepts a valid %s %j', async (kind, spec) => {
    await expect(strictCreate(kind, spec)).resolves.toBeDefined();
  });

  it.each<[Kind, unknown, RegExp]>([
    ['DNSZone', { ...zone, zoneName: 'example.com.' }, /spec\.zoneName/],
    ['DNSZone', { ...zone, soaRecord: { ...SOA, primaryNs: 'ns1.example.com' } }, /spec\.soaRecord\.primaryNs/],
    ['DNSZone', { ...zone, soaRecord: { ...SOA, serial: undefined } }, /spec\.soaRecord\.serial: Required/],
    ['DNSZone', { ...zone, ttl: -1 }, /spec\.ttl/],
    ['DNSZone', { ...zone, instanceSelector: { matchLabels: { dns: 'primary' } } }, /unknown field "spec\.instanceSelector"/],
    ['DNSZone', { ...zone, bind9InstancesFrom: [{}] }, /selector: Required/],
    ['ARecord', { name: 'www', ipv4Addresses: [] }, /spec\.ipv4Addresses/],
    ['ARecord', { name: 'www' }, /spec\.ipv4Addresses: Required/],
    ['ARecord', { name: 'www', ipv4Address: '192.0.2.1', ipv4Addresses: ['192.0.2.1'] }, /unknown field "spec\.ipv4Address"/],
    ['ARecord', { name: 'www', ipv4Addresses: ['192.0.2.1'], zoneRef: 'z' }, /unknown field "spec\.zoneRef"/],
    ['MXRecord', { name: '@', priority: 70000, mailServer: 'mx.example.com.' }, /spec\.priority/],
    ['SRVRecord', { name: '_sip._tcp', priority: 1, weight: 1, port: 65536, target: 'sip.example.com.' }, /spec\.port/],
    ['CAARecord', { name: '@', flags: 256, tag: 'issue', value: 'x' }, /spec\.flags/],
    ['Bind9Instance', { clusterRef: 'c' }, /spec\.role: Required/],
    ['Bind9Instance', { ...instance, role: 'master' }, /spec\.role: Unsupported value/],
    ['Bind9Instance', { ...instance, replicas: 101 }, /spec\.replicas/],
  ])('rejects %s %j', async (kind, spec, field) => {
    try {
      await strictCreate(kind, spec);
    } catch (err) {
      expect(err instanceof KubeApiError && [400, 422].includes(err.code)).toBe(true);
      expect((err as Error).message).toMatch(field);
      return;
    }
    throw new Error(`${kind} ${JSON.stringify(spec)} was accepted`);
  });
});

// ---------------------------------------------------------------------------------------------
// `kubectl get` columns: the apiserver renders the printer columns as a Table

interface Table {
  columnDefinitions: Array<{ name: string }>;
  rows: Array<{ cells: unknown[] }>;
}

/** getTable GETs `path` as a meta.k8s.io Table, as kubectl does. */
function getTable(path: string): Promise<Table> {
  return admin.get<Table>(path, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
}

describe('printer columns and status writes', () => {
  const tns = `manifests-columns-${run}`;
  const api = (kind: Kind) => resourcePath(kind, tns);
  const condition = { type: 'Ready', status: 'True', reason: 'Serving', message: 'served by 2 pods', lastTransitionTime: new Date().toISOString(), observedGeneration: 1 };

  beforeAll(async () => {
    await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: tns } });
  });
  afterAll(async () => {
    await admin.delete(`/api/v1/namespaces/${tns}`).catch(() => undefined);
  });

  it('accepts the status the controllers write (millisecond timestamps included) and prints upstream\'s columns', async () => {
    const z = await admin.create<Manifest>(api('DNSZone'), { ...obj('DNSZone', 'example-com', { ...zone, ttl: 300 }), metadata: { name: 'example-com', namespace: tns } });
    await admin.replace(`${api('DNSZone')}/example-com/status`, {
      ...z,
      status: { conditions: [condition], observedGeneration: 1, serial: 2026112501, contentHash: 'x', recordsCount: 3, bind9InstancesCount: 2 },
    });
    const t = await getTable(api('DNSZone'));
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Zone', 'Provider', 'Records', 'Instances', 'TTL', 'Ready']);
    expect(t.rows[0]!.cells.slice(0, 7)).toEqual(['example-com', 'example.com', null, 3, 2, 300, 'True']);
  });

  it("prints a Bind9Instance's cluster, role and zones, and a record's name, zone and data", async () => {
    const b = await admin.create<Manifest>(api('Bind9Instance'), { ...obj('Bind9Instance', 'primary', { ...instance, replicas: 2 }), metadata: { name: 'primary', namespace: tns } });
    await admin.replace(`${api('Bind9Instance')}/primary/status`, { ...b, status: { conditions: [condition], observedGeneration: 1, zonesCount: 4, replicas: 2, readyReplicas: 1 } });
    const bt = await getTable(api('Bind9Instance'));
    expect(bt.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Cluster', 'Role', 'Replicas', 'Zones', 'Ready']);
    expect(bt.rows[0]!.cells.slice(0, 6)).toEqual(['primary', 'production-dns', 'primary', 2, 4, 'True']);

    const r = await admin.create<Manifest>(api('ARecord'), { ...obj('ARecord', 'www', { name: 'www', ipv4Addresses: ['192.0.2.1', '192.0.2.2'] }), metadata: { name: 'www', namespace: tns } });
    const zoneRef = { apiVersion: `${B}/v1beta1`, kind: 'DNSZone', name: 'example-com', namespace: tns, zoneName: 'example.com' };
    await admin.replace(`${api('ARecord')}/www/status`, { ...r, status: { conditions: [condition], observedGeneration: 1, zone: 'example.com', zoneRef, addresses: '192.0.2.1,192.0.2.2' } });
    const rt = await getTable(api('ARecord'));
    expect(rt.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Name', 'Zone', 'Addresses', 'TTL', 'Ready']);
    expect(rt.rows[0]!.cells.slice(0, 6)).toEqual(['www', 'www', 'example.com', '192.0.2.1,192.0.2.2', null, 'True']);
  });

  it('accepts a condition with only type and status, as upstream does', async () => {
    const b = await admin.get<Manifest>(`${api('Bind9Instance')}/primary`);
    const bare = { ...b, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
    const stored = await admin.replace<Manifest>(`${api('Bind9Instance')}/primary/status`, bare);
    expect((stored as unknown as { status: unknown }).status).toEqual(bare.status);
  });
});
