/**
 * Least privilege, proven from the apiserver's audit log: a real operator process runs as the
 * `bindy` ServiceAccount with exactly dist/prod's RBAC, reconciles an instance, a zone and records
 * through their life (create, update, delete) while its agents read the Lease with the instance's
 * own ServiceAccount token. Every (group, resource, verb, scope) they used must be granted, and
 * every grant must have been used.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { instanceNames, ownedObjects } from '../../src/controllers/bind9-resources.js';
import type { Bind9Instance } from '../../src/crds/types.js';
import type { KubeClient } from '../../src/kube/api-client.js';
import { auditLogPath, SERVICE_ACCOUNT_USERS } from '../../testbed/control-plane.js';
import { applyManifests, readManifests } from '../../testbed/apply.js';
import type { TestNode } from '../../testbed/node/node.js';
import { loadTestbed } from '../../testbed/state.js';
import { ReplicaGroup } from '../support/leader-cluster.js';
import { compare, grantsOf, readUses, type Permission, type Scope, type Use } from '../support/rbac-audit.js';
import { deleteDnsObjects, dig, eventually, LEASE_NS, prepareDnsTest, startNode } from './dns-support.js';

const REPLICA = 'audit-0';
const OPERATOR_IMAGE = 'registry.example.com/mirror/bindy-ts:audit';
const NS = 'rbac-audit';
const LEASE = 'bindy-leader';
const API = `/apis/bindy.firestoned.io/v1beta1/namespaces/${NS}`;
const ZONE = 'audit.test';
const AGENT_USERS = `system:serviceaccount:${NS}:`;

type Rules = Parameters<typeof grantsOf>[0];

/**
 * EXPECTED_UNUSED are grants no request can show, each with the reason it stays: an audit log
 * records requests, not the authorization checks admission plugins make, and SPEC §7 fixes the
 * Lease verbs.
 */
const EXPECTED_UNUSED = [
  // OwnerReferencesPermissionEnforcement asks for them before an owner reference with blockOwnerDeletion is set.
  'bindy.firestoned.io/bind9clusters/finalizers update @any',
  'bindy.firestoned.io/bind9instances/finalizers update @any',
  'bindy.firestoned.io/clusterbind9providers/finalizers update @any',
  // SPEC §7 grants patch on the Lease; the elector writes it with update.
  'coordination.k8s.io/leases patch @lease',
];
const HASH = 'bindy.firestoned.io/desired-hash';
const kind = (k: string, name: string, spec: object, labels: Record<string, string> = {}) => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: k, metadata: { name, namespace: NS, labels }, spec });
const scopeOf = (ns: string | undefined): Scope | undefined => (ns === undefined ? 'cluster' : ns === LEASE_NS ? 'lease' : ns === NS ? 'instance' : undefined);

/** operatorGrants are dist/prod's ClusterRole (any scope) and lease-namespace Role rules. */
function operatorGrants(): Permission[] {
  const manifests = readManifests('dist/prod/cluster.yaml') as Array<{ kind: string; metadata: { namespace?: string }; rules?: Rules }>;
  return manifests.flatMap((m) => (m.kind === 'ClusterRole' ? grantsOf(m.rules ?? [], 'any') : m.kind === 'Role' && m.metadata.namespace === LEASE_NS ? grantsOf(m.rules ?? [], 'lease') : []));
}

/** agentGrants are the rules of the Role the operator makes for an instance's agents. */
function agentGrants(): Permission[] {
  const instance = kind('Bind9Instance', 'primary', {}) as unknown as Bind9Instance;
  const settings = { agentImage: 'x', leaseNamespace: LEASE_NS, operatorNamespace: LEASE_NS, leaseName: LEASE, leaderElection: true };
  return ownedObjects(instance, settings, 'primary-agent-tls').flatMap((o) => (o.object.kind === 'Role' ? grantsOf(o.object.rules as Rules, 'lease') : []));
}

/**
 * upgradeShape makes every object of the instance look written by an older operator (a stale
 * desired-hash, as after an upgrade that changes their shape) and waits until the operator has
 * replaced each: the update path. The Deployment goes last: its change wakes the reconciler.
 */
async function upgradeShape(admin: KubeClient): Promise<void> {
  const lease = instanceNames(kind('Bind9Instance', 'primary', {}) as unknown as Bind9Instance).leaseReader;
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${LEASE_NS}`;
  const paths = [`/api/v1/namespaces/${NS}/serviceaccounts/primary`, `/api/v1/namespaces/${NS}/services/primary`, `${rbac}/roles/${lease}`, `${rbac}/rolebindings/${lease}`, `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies/primary`, `/apis/apps/v1/namespaces/${NS}/deployments/primary`];
  for (const path of paths) await admin.mergePatch(path, { metadata: { annotations: { [HASH]: 'stale' } } });
  await eventually(async () => {
    for (const path of paths) expect((await admin.get<{ metadata: { annotations?: Record<string, string> } }>(path)).metadata.annotations?.[HASH]).not.toBe('stale');
  }, 30_000);
}

/**
 * providerLife: a ClusterBind9Provider makes its Bind9Cluster (create), which makes its
 * Bind9Instances (create); a scale-up is copied to the cluster (update) and adds an instance, a
 * version change replaces the instances (update), a scale-down deletes the surplus one (delete).
 */
async function providerLife(admin: KubeClient): Promise<void> {
  const providers = '/apis/bindy.firestoned.io/v1beta1/clusterbind9providers';
  const instance = (i: number) => `${API}/bind9instances/audit-provider-primary-${i}`;
  const version = async (i: number) => (await admin.get<{ spec: { version?: string } }>(instance(i))).spec.version;
  await admin.create(providers, { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ClusterBind9Provider', metadata: { name: 'audit-provider' }, spec: { namespace: NS, version: '9.18', primary: { replicas: 1 } } });
  await eventually(() => admin.get(instance(0)), 30_000);
  await admin.mergePatch(`${providers}/audit-provider`, { spec: { primary: { replicas: 2 } } });
  await eventually(() => admin.get(instance(1)), 30_000);
  await admin.mergePatch(`${providers}/audit-provider`, { spec: { version: '9.20', primary: { replicas: 1 } } });
  await eventually(async () => {
    expect(await version(0)).toBe('9.20');
    await expect(admin.get(instance(1))).rejects.toMatchObject({ code: 404 });
  }, 30_000);
  await admin.delete(`${providers}/audit-provider`);
  await eventually(() => expect(admin.get(instance(0))).rejects.toMatchObject({ code: 404 }), 30_000);
}

/**
 * withoutDenialsAfterRevocation leaves out an agent's denied Lease reads once the operator has
 * deleted that agent's lease RoleBinding: a deleted instance's RBAC in the lease namespace has no
 * owner to collect it, so the operator removes it while the instance's pods are still
 * terminating, and their agents' next reads are refused. Denials before that still count.
 */
function withoutDenialsAfterRevocation(agentUses: readonly Use[], operatorUses: readonly Use[]): Use[] {
  const revokedAt = new Map<string, number>();
  for (const u of operatorUses) {
    if (u.resource === 'rolebindings' && u.verb === 'delete' && u.scope === 'lease' && u.name !== undefined && u.code < 300) revokedAt.set(u.name, Math.min(u.at, revokedAt.get(u.name) ?? Infinity));
  }
  const bindingOf = (user: string) => instanceNames(kind('Bind9Instance', user.slice(AGENT_USERS.length), {}) as unknown as Bind9Instance).leaseReader;
  return agentUses.filter((u) => !(u.code === 403 && u.resource === 'leases' && u.at >= (revokedAt.get(bindingOf(u.user)) ?? Infinity)));
}

describe('least privilege, from the audit log', () => {
  const bed = loadTestbed();
  const auditLog = auditLogPath(bed.stateDir);
  let admin: KubeClient;
  let unlock: () => void = () => undefined;
  let node: TestNode;
  const stopNode = new AbortController();
  let nodeRun: Promise<void> = Promise.resolve();
  let group: ReplicaGroup | undefined;

  beforeAll(async () => {
    ({ admin, unlock } = await prepareDnsTest(NS));
    await applyManifests(admin, readManifests('dist/prod/cluster.yaml'), 'bindy-tests');
    await admin.delete(`/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases/${LEASE}`).catch(() => undefined);
    node = startNode(admin, pino({ level: 'silent' }), LEASE, 150, NS, false);
    nodeRun = node.start(stopNode.signal);
    // The replica runs as a process; this Pod object stands for its own Pod (never scheduled: no node serves dns-system here).
    await admin.delete(`/api/v1/namespaces/${LEASE_NS}/pods/${REPLICA}`, { query: { gracePeriodSeconds: 0 } }).catch(() => undefined);
    await admin.create(`/api/v1/namespaces/${LEASE_NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: REPLICA, namespace: LEASE_NS }, spec: { containers: [{ name: 'operator', image: OPERATOR_IMAGE }] } });
  }, 120_000);

  afterAll(async () => {
    await group?.stopAll();
    stopNode.abort();
    await nodeRun;
    await deleteDnsObjects(admin, API, [`${API}/dnszones/audit`, `${API}/bind9instances/primary`], 5_000);
    await admin.delete('/apis/bindy.firestoned.io/v1beta1/clusterbind9providers/audit-provider').catch(() => undefined);
    await admin.delete(`/api/v1/namespaces/${LEASE_NS}/pods/${REPLICA}`, { query: { gracePeriodSeconds: 0 } }).catch(() => undefined);
    admin?.close();
    unlock();
  }, 60_000);

  it('the operator and its agents use exactly what dist/prod and the agent Role grant', async () => {
    if (!bed.local || !existsSync(auditLog)) throw new Error(`needs the local test bed's audit log (${auditLog})`);
    const since = new Date();
    // WATCH_NAMESPACE keeps it off other test files' instances (its list/watch are then namespaced; the ClusterRole grants them everywhere).
    group = new ReplicaGroup({ kubeconfig: bed.kubeconfigs.bindy, server: bed.server, env: { LEASE_NAMESPACE: LEASE_NS, LEASE_NAME: LEASE, WATCH_NAMESPACE: NS, POD_NAMESPACE: LEASE_NS } });
    const { replica } = await group.add(REPLICA);
    await replica.waitForLog('Starting all operators', 30_000);

    // Life of an instance, a zone and its records: create, change, delete.
    await admin.create(`${API}/bind9instances`, kind('Bind9Instance', 'primary', { clusterRef: 'audit', role: 'primary', replicas: 1 }, { dns: 'audit' }));
    const soaRecord = { primaryNs: `ns1.${ZONE}.`, adminEmail: `hostmaster.${ZONE}.`, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
    const zoneSpec = { zoneName: ZONE, bind9InstancesFrom: [{ selector: { matchLabels: { dns: 'audit' } } }], recordsFrom: [{ selector: { matchLabels: { zone: 'audit' } } }], ttl: 60, soaRecord };
    await admin.create(`${API}/dnszones`, kind('DNSZone', 'audit', zoneSpec));
    await admin.create(`${API}/arecords`, kind('ARecord', 'ns1', { name: 'ns1', ipv4Addresses: ['192.0.2.53'] }, { zone: 'audit' }));
    await admin.create(`${API}/arecords`, kind('ARecord', 'www', { name: 'www', ipv4Addresses: ['192.0.2.10'] }, { zone: 'audit' }));
    const pod = await eventually(() => node.runtimes()[0]?.address ?? Promise.reject(new Error('no pod yet')), 60_000);
    await eventually(() => expect(dig(pod, `www.${ZONE}`, 'A')).toBe('192.0.2.10'), 60_000);
    // The agent sidecar runs the operator's own image, read from its Pod (a kustomize images: override reaches it).
    const deployment = await admin.get<{ spec: { template: { spec: { containers: Array<{ name: string; image: string }> } } } }>(`/apis/apps/v1/namespaces/${NS}/deployments/primary`);
    expect(deployment.spec.template.spec.containers.find((c) => c.name === 'agent')?.image).toBe(OPERATOR_IMAGE);
    await admin.mergePatch(`${API}/bind9instances/primary`, { spec: { config: { recursion: false, allowTransfer: ['192.0.2.0/24'] } } });
    await eventually(async () => {
      const cm = await admin.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${NS}/configmaps/primary-config`);
      expect(cm.data['named.conf']).toContain('192.0.2.0/24');
    }, 30_000);
    await upgradeShape(admin);
    await admin.delete(`${API}/arecords/www`);
    await eventually(() => expect(dig(pod, `www.${ZONE}`, 'A', true)).toMatch(/NXDOMAIN/), 30_000);
    await deleteDnsObjects(admin, API, [`${API}/dnszones/audit`, `${API}/bind9instances/primary`], 30_000);
    await providerLife(admin);
    // A renewal (Lease update) happens every retry period; wait for one so the run always shows it.
    const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases/${LEASE}`;
    const renewed = (await admin.get<{ spec: { renewTime?: string } }>(leasePath)).spec.renewTime;
    await eventually(async () => expect((await admin.get<{ spec: { renewTime?: string } }>(leasePath)).spec.renewTime).not.toBe(renewed), 20_000);
    await group.stopAll();
    group = undefined;

    const operatorUses = readUses(auditLog, (u) => u === SERVICE_ACCOUNT_USERS.bindy, since, scopeOf);
    const operator = compare(operatorUses, operatorGrants());
    const agents = compare(withoutDenialsAfterRevocation(readUses(auditLog, (u) => u.startsWith(AGENT_USERS), since, scopeOf), operatorUses), agentGrants());
    const report = ['operator (dns-system/bindy):', ...operator.table, 'agents (instance ServiceAccounts):', ...agents.table].join('\n');
    writeFileSync(join(bed.stateDir, 'rbac-audit.txt'), `${report}\n`);
    process.stdout.write(`${report}\n`);
    expect({ operator: operator.usedNotGranted, agents: agents.usedNotGranted }).toEqual({ operator: [], agents: [] });
    expect({ operator: operator.grantedNotUsed, agents: agents.grantedNotUsed }).toEqual({ operator: [...EXPECTED_UNUSED].sort(), agents: [] });
  }, 240_000);
});
