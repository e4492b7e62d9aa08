/**
 * Bind9Cluster and ClusterBind9Provider reconcilers, as upstream Bindy: a cluster owns
 * `<cluster>-primary-<i>` and `<cluster>-secondary-<i>` Bind9Instances (one pod each, spec copied
 * from the cluster), and a ClusterBind9Provider owns a namespaced Bind9Cluster of its own name
 * in `spec.namespace` (the operator's namespace when absent), whose instances serve zones of
 * every namespace that name the provider in `clusterRef`.
 */
import { API_VERSION, READY, type Bind9Cluster, type Bind9Instance, type ClusterBind9Provider, type ServerRole } from '../crds/types.js';
import type { KubeClient } from '../kube/api-client.js';
import { isNotFound } from '../kube/api-error.js';
import type { EventRecorder } from '../kube/events.js';
import { ownerReferenceTo, resourcePath, type KubeObject } from '../kube/objects.js';
import { findCondition, patchStatus, setCondition } from '../kube/status.js';
import type { Caches } from './caches.js';
import type { ReconcileResult } from './controller.js';
import { unsupportedClusterFields, unsupportedMessage } from './unsupported.js';

/** Upstream's labels on the instances a cluster manages. */
export const CLUSTER_LABELS = {
  managedBy: 'bindy.firestoned.io/managed-by',
  cluster: 'bindy.firestoned.io/cluster',
  role: 'bindy.firestoned.io/role',
} as const;

export interface ClusterReconcilerDeps {
  readonly client: KubeClient;
  readonly caches: Caches;
  readonly events: EventRecorder;
  /** Namespace of a provider's instances when its spec.namespace is absent. */
  readonly operatorNamespace: string;
  readonly resyncMs: number;
}

/** desiredInstances are the instances a cluster should own, by name (primary count defaults to 1, secondary to 0). */
export function desiredInstances(cluster: Bind9Cluster): Bind9Instance[] {
  const s = cluster.spec;
  const wanted: Array<[ServerRole, number]> = [
    ['primary', s.primary?.replicas ?? 1],
    ['secondary', s.secondary?.replicas ?? 0],
  ];
  return wanted.flatMap(([role, count]) => Array.from({ length: count }, (_, i) => instanceFor(cluster, role, i)));
}

function instanceFor(cluster: Bind9Cluster, role: ServerRole, index: number): Bind9Instance {
  const s = cluster.spec;
  const roleSpec = role === 'primary' ? s.primary : s.secondary;
  const { bindcarConfig, ...global } = s.global ?? {};
  const config = { ...global, ...(roleSpec?.allowTransfer ? { allowTransfer: roleSpec.allowTransfer } : {}) };
  const spec: Bind9Instance['spec'] = {
    clusterRef: cluster.metadata.name,
    role,
    replicas: 1,
    ...(s.version ? { version: s.version } : {}),
    ...(s.image ? { image: s.image } : {}),
    ...(s.configMapRefs ? { configMapRefs: s.configMapRefs } : {}),
    ...(Object.keys(config).length > 0 ? { config } : {}),
    ...(s.volumes ? { volumes: s.volumes } : {}),
    ...(s.volumeMounts ? { volumeMounts: s.volumeMounts } : {}),
    ...(bindcarConfig ? { bindcarConfig } : {}),
    ...(roleSpec?.rndcKey ? { rndcKey: roleSpec.rndcKey } : {}),
  };
  const labels = { ...(roleSpec?.labels ?? {}), [CLUSTER_LABELS.managedBy]: 'Bind9Cluster', [CLUSTER_LABELS.cluster]: cluster.metadata.name, [CLUSTER_LABELS.role]: role, 'app.kubernetes.io/part-of': 'bindy' };
  return {
    apiVersion: API_VERSION,
    kind: 'Bind9Instance',
    metadata: {
      name: `${cluster.metadata.name}-${role}-${index}`,
      namespace: cluster.metadata.namespace,
      labels,
      annotations: { 'bindy.firestoned.io/instance-index': String(index) },
      ownerReferences: [ownerReferenceTo(cluster as Bind9Cluster & KubeObject)],
    },
    spec,
  };
}

/** ownedBy says whether an instance was made by this cluster (never touch anyone else's). */
function ownedBy(i: Bind9Instance, cluster: Bind9Cluster): boolean {
  return i.metadata.labels?.[CLUSTER_LABELS.managedBy] === 'Bind9Cluster' && i.metadata.labels?.[CLUSTER_LABELS.cluster] === cluster.metadata.name && i.metadata.ownerReferences?.some((o) => o.uid === cluster.metadata.uid) === true;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * reconcileCluster makes the cluster's instances match it: (1) create the missing ones,
 * (2) replace the ones whose spec or labels drifted (resourceVersion-guarded), (3) delete the
 * surplus ones it made, (4) report counts and readiness.
 */
export async function reconcileCluster(deps: ClusterReconcilerDeps, key: string): Promise<ReconcileResult | void> {
  const cluster = deps.caches.clusters.get(key);
  if (!cluster || cluster.metadata.deletionTimestamp) return;
  const ns = cluster.metadata.namespace ?? '';
  const desired = desiredInstances(cluster);
  const collection = resourcePath(API_VERSION, 'bind9instances', ns);
  for (const want of desired) {
    const have = deps.caches.instances.get(`${ns}/${want.metadata.name}`);
    if (!have) await deps.client.create(collection, want).catch(ignoreConflict);
    else if (!ownedBy(have, cluster)) continue;
    else if (!same(have.spec, want.spec) || !same(have.metadata.labels, want.metadata.labels)) {
      await deps.client.replace(`${collection}/${want.metadata.name}`, { ...have, metadata: { ...have.metadata, labels: want.metadata.labels }, spec: want.spec });
    }
  }
  const names = new Set(desired.map((d) => d.metadata.name));
  for (const surplus of deps.caches.instances.list(ns).filter((i) => ownedBy(i, cluster) && !names.has(i.metadata.name))) {
    await deps.client.delete(`${collection}/${surplus.metadata.name}`).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
  await reportCluster(deps, cluster, resourcePath(API_VERSION, 'bind9clusters', ns, cluster.metadata.name), desired.map((d) => `${ns}/${d.metadata.name}`));
  return { requeueAfterMs: deps.resyncMs };
}

function ignoreConflict(err: unknown): void {
  // 409: created by a concurrent pass (or someone else's object of that name, which we leave alone).
  if ((err as { code?: number }).code !== 409) throw err;
}

async function reportCluster(deps: ClusterReconcilerDeps, cluster: Bind9Cluster, path: string, keys: string[]): Promise<void> {
  const notReady = keys.filter((k) => findCondition(deps.caches.instances.get(k)?.status?.conditions, READY)?.status !== 'True').map((k) => k.split('/')[1]);
  const ready = keys.length - notReady.length;
  const v = clusterVerdict(cluster, ready, keys.length, notReady);
  const ok = v.reason === 'AllInstancesReady';
  const condition = { type: READY, status: ok ? ('True' as const) : ('False' as const), reason: v.reason, message: v.message, observedGeneration: cluster.metadata.generation };
  const before = findCondition(cluster.status?.conditions, READY);
  await patchStatus(deps.client, path, cluster as Bind9Cluster & KubeObject, {
    conditions: setCondition(cluster.status?.conditions, condition),
    observedGeneration: cluster.metadata.generation,
    instanceCount: keys.length,
    readyInstances: ready,
    instances: keys.map((k) => k.split('/')[1] ?? k),
  });
  if (before?.reason !== condition.reason) deps.events.record(cluster as Bind9Cluster & KubeObject, ok ? 'Normal' : 'Warning', condition.reason, condition.message);
}

function clusterVerdict(cluster: Bind9Cluster, ready: number, total: number, notReady: Array<string | undefined>): { reason: string; message: string } {
  const unsupported = unsupportedClusterFields(cluster);
  if (unsupported.length > 0) return { reason: 'Unsupported', message: unsupportedMessage(unsupported) };
  if (total === 0) return { reason: 'NoInstances', message: 'primary.replicas and secondary.replicas are both 0' };
  if (ready === total) return { reason: 'AllInstancesReady', message: `${ready}/${total} instances ready` };
  return { reason: 'InstancesNotReady', message: `${ready}/${total} instances ready; not ready: ${notReady.join(', ')}` };
}

/** providerNamespace is where a provider's cluster and instances live. */
export function providerNamespace(p: ClusterBind9Provider, operatorNamespace: string): string {
  return p.spec.namespace || operatorNamespace;
}

/**
 * reconcileProvider keeps a namespaced Bind9Cluster of the provider's name (owned by it) equal to
 * the provider's spec, and mirrors that cluster's status.
 */
export async function reconcileProvider(deps: ClusterReconcilerDeps, key: string): Promise<ReconcileResult | void> {
  const provider = deps.caches.providers.get(key);
  if (!provider || provider.metadata.deletionTimestamp) return;
  const ns = providerNamespace(provider, deps.operatorNamespace);
  const { namespace: _ns, ...spec } = provider.spec;
  const path = resourcePath(API_VERSION, 'bind9clusters', ns, provider.metadata.name);
  const labels = { [CLUSTER_LABELS.managedBy]: 'ClusterBind9Provider', 'app.kubernetes.io/part-of': 'bindy' };
  const have = deps.caches.clusters.get(`${ns}/${provider.metadata.name}`);
  if (!have) {
    const body = { apiVersion: API_VERSION, kind: 'Bind9Cluster', metadata: { name: provider.metadata.name, namespace: ns, labels, ownerReferences: [ownerReferenceTo(provider as ClusterBind9Provider & KubeObject)] }, spec };
    await deps.client.create(resourcePath(API_VERSION, 'bind9clusters', ns), body).catch(ignoreConflict);
  } else if (have.metadata.ownerReferences?.some((o) => o.uid === provider.metadata.uid) && !same(have.spec, spec)) {
    await deps.client.replace(path, { ...have, spec });
  }
  const status = have?.status ?? {};
  const conditions = have ? status.conditions : [{ type: READY, status: 'False' as const, reason: 'Creating', message: `creating Bind9Cluster ${ns}/${provider.metadata.name}` }];
  await patchStatus(deps.client, resourcePath(API_VERSION, 'clusterbind9providers', undefined, provider.metadata.name), provider as ClusterBind9Provider & KubeObject, {
    ...status,
    conditions: (conditions ?? []).map((c) => ({ ...c, observedGeneration: provider.metadata.generation })),
    observedGeneration: provider.metadata.generation,
  });
  return { requeueAfterMs: deps.resyncMs };
}
