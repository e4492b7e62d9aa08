/**
 * Which pods of an instance's Service may receive its zones: only those its own Deployment made.
 * A pod anyone creates in the namespace with the instance's labels joins the Service's
 * EndpointSlice; it must not get zone data or the agent token. So a ready endpoint counts only
 * if its Pod's controller is a ReplicaSet (by uid) whose controller is the instance's Deployment
 * (by uid), which the instance owns. Pods and ReplicaSets come from informers limited to bindy's
 * label (what a Deployment copies into them), so the check reads memory, never the apiserver.
 * The per-instance TLS certificate is the stronger guarantee (it also holds where this cache
 * lags); this one also stops a same-namespace pod that mounted the instance's Secrets.
 */
import type { Bind9Instance } from '../crds/types.js';
import type { KubeObject } from '../kube/objects.js';
import { instanceNames } from './bind9-resources.js';
import type { Caches } from './caches.js';

type OwnerCaches = Pick<Caches, 'slices' | 'pods' | 'replicaSets' | 'deployments'>;

/**
 * The last answer per cached instance object, with the owner caches' change count it was read at:
 * every zone reconcile and every generated name-server address asks it, and a new leader's first
 * pass over 1,000 zones scanned the same slices, pods and ReplicaSets 2,000 times.
 */
const answers = new WeakMap<Bind9Instance, { readonly changes: number; readonly addresses: readonly string[] }>();

/** ownerChanges grows with every change of the caches an answer is read from (undefined for caches that do not count theirs). */
function ownerChanges(caches: OwnerCaches): number | undefined {
  const counts = [caches.slices, caches.pods, caches.replicaSets, caches.deployments].map((c) => (c as { changes?: number }).changes);
  return counts.every((n) => n !== undefined) ? counts.reduce((a, b) => a + b, 0) : undefined;
}

const controllerOf = (o: KubeObject | undefined) => o?.metadata.ownerReferences?.find((r) => r.controller === true);

/** ownedPodAddresses lists the addresses of the instance's ready pods that its own Deployment made, sorted. */
export function ownedPodAddresses(caches: OwnerCaches, instance: Bind9Instance): readonly string[] {
  const changes = ownerChanges(caches);
  const known = answers.get(instance);
  if (known !== undefined && known.changes === changes) return known.addresses;
  const addresses = readOwnedPodAddresses(caches, instance);
  if (changes !== undefined) answers.set(instance, { changes, addresses });
  return addresses;
}

function readOwnedPodAddresses(caches: OwnerCaches, instance: Bind9Instance): readonly string[] {
  const ns = instance.metadata.namespace ?? '';
  const names = instanceNames(instance);
  const deployment = caches.deployments.get(`${ns}/${names.deployment}`);
  const owner = controllerOf(deployment);
  if (!deployment || owner?.kind !== 'Bind9Instance' || owner.uid !== instance.metadata.uid) return [];
  const madeByDeployment = (podName: string | undefined): boolean => {
    const rsRef = controllerOf(caches.pods.get(`${ns}/${podName}`));
    if (rsRef?.kind !== 'ReplicaSet') return false;
    const rs = caches.replicaSets.get(`${ns}/${rsRef.name}`);
    const depRef = controllerOf(rs);
    return rs?.metadata.uid === rsRef.uid && depRef?.kind === 'Deployment' && depRef.uid === deployment.metadata.uid;
  };
  const addresses = new Set<string>();
  for (const slice of caches.slices.list(ns)) {
    if (slice.metadata.labels?.['kubernetes.io/service-name'] !== names.service) continue;
    for (const endpoint of slice.endpoints ?? []) {
      // ready is nil-means-ready per the EndpointSlice API; a terminating pod may still answer, but new data should not go there.
      if (endpoint.conditions?.ready === false || endpoint.conditions?.terminating === true) continue;
      if (!madeByDeployment(endpoint.targetRef?.name)) continue;
      for (const address of endpoint.addresses) addresses.add(address);
    }
  }
  return [...addresses].sort();
}
