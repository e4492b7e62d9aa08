/**
 * Which Bind9Instances serve a DNSZone, as upstream Bindy decides it: the union of
 * (a) `clusterRef` — the instances whose spec.clusterRef names it: in the zone's namespace for a
 *     Bind9Cluster, in every namespace for a ClusterBind9Provider of that name — and
 * (b) `bind9InstancesFrom` — the instances of the zone's namespace matching any selector.
 */
import type { Bind9Instance, DNSZone } from '../crds/types.js';
import { matchesAny } from '../dns/selectors.js';
import type { Caches } from './caches.js';

/** zoneInstances lists the live instances serving `zone`, sorted by namespace/name. */
export function zoneInstances(caches: Pick<Caches, 'instances' | 'providers'>, zone: DNSZone): Bind9Instance[] {
  const key = (i: Bind9Instance) => `${i.metadata.namespace}/${i.metadata.name}`;
  return caches.instances
    .list()
    .filter((i) => !i.metadata.deletionTimestamp && servesZone(caches, zone, i))
    .sort((a, b) => key(a).localeCompare(key(b)));
}

/** servesZone says whether `instance` is among the zone's instances (for event fan-out and orphan cleanup). */
export function servesZone(caches: Pick<Caches, 'instances' | 'providers'>, zone: DNSZone, instance: Bind9Instance): boolean {
  const ref = zone.spec.clusterRef ?? undefined;
  const sameNs = instance.metadata.namespace === zone.metadata.namespace;
  if (ref !== undefined && instance.spec.clusterRef === ref && (sameNs || caches.providers.get(ref) !== undefined)) return true;
  return sameNs && matchesAny(zone.spec.bind9InstancesFrom, instance.metadata.labels);
}
