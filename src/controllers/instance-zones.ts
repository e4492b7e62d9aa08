import { API_VERSION, type Bind9Instance, type DNSZone } from '../crds/types.js';
import { normalizeZoneName } from '../dns/names.js';
import type { Caches } from './caches.js';
import { servesZone } from './selection.js';
import { ZoneClaims } from './zone-claims.js';

/**
 * STATUS_ZONES_LIMIT caps status.zones, as STATUS_RECORDS_LIMIT caps a zone's status.records: the
 * full list is ≈ 120 bytes a zone, so an instance serving 12,500 zones could no longer write its
 * status (etcd refuses an object over 1.5 MiB), and below that every new zone rewrote — and every
 * replica's informer decoded again — a list of all the others (1.2 MB each time at 10,000 zones).
 * zonesCount stays the full count; each zone's own status lists its instances.
 */
export const STATUS_ZONES_LIMIT = 1_000;

/** zonesStatus is upstream's status.zones (the first STATUS_ZONES_LIMIT by namespace and name) and zonesCount of the zones the instance serves. */
export function instanceZonesStatus(caches: Pick<Caches, 'zones' | 'instances' | 'providers'> & Partial<Pick<Caches, 'zoneIndex'>>, instance: Bind9Instance) {
  const claims = new ZoneClaims(caches);
  const served = caches.zones
    .list()
    .filter((z: DNSZone) => !z.metadata.deletionTimestamp && servesZone(caches, z, instance) && !claims.refused(z))
    .map((z: DNSZone) => ({ key: `${z.metadata.namespace ?? ''}/${z.metadata.name}`, z }))
    // Code-point order: deterministic on every replica, and a fraction of localeCompare's cost over 10,000 zones.
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    zones: served.slice(0, STATUS_ZONES_LIMIT).map(({ z }) => ({ apiVersion: API_VERSION, kind: 'DNSZone', name: z.metadata.name, namespace: z.metadata.namespace ?? '', zoneName: normalizeZoneName(z.spec.zoneName) })),
    zonesCount: served.length,
  };
}
