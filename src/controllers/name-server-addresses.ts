/**
 * Upstream Bindy's name-server addresses for a zone that names none. When a DNSZone sets neither
 * `nameServers` nor `nameServerIps`, upstream serves `ns1.<zone>.`, `ns2.<zone>.`, … with the
 * address of each of the zone's instances in turn (primaries first, then secondaries; an instance
 * without an address is skipped), so a zone whose `soaRecord.primaryNs` is `ns1.<zone>.` — as in
 * upstream's examples — has the address named needs to load it. Upstream takes an instance's
 * Service load-balancer address, else a running pod's; Bindy-TS's instance Services have no
 * load-balancer address, so it takes the first ready address (IPv4, as upstream's glue map holds)
 * of a pod the instance's own Deployment made (a look-alike pod is never named as a name server). The zone controller and the record judge both build from this, so their
 * content hashes agree.
 */
import { isIPv4 } from 'node:net';
import type { DNSZone } from '../crds/types.js';
import { normalizeZoneName } from '../dns/names.js';
import type { Caches } from './caches.js';
import { ownedPodAddresses } from './owned-pods.js';
import { zoneInstances } from './selection.js';

/** withInstanceNameServers returns the zone with upstream's generated `nameServerIps` when it names no name server addresses. */
export function withInstanceNameServers(caches: Pick<Caches, 'instances' | 'providers' | 'slices' | 'pods' | 'replicaSets' | 'deployments'>, zone: DNSZone): DNSZone {
  const given = (zone.spec.nameServers?.length ?? 0) > 0 || Object.keys(zone.spec.nameServerIps ?? {}).length > 0;
  if (given) return zone;
  const instances = zoneInstances(caches, zone);
  const ordered = [...instances.filter((i) => i.spec.role !== 'secondary'), ...instances.filter((i) => i.spec.role === 'secondary')];
  const zoneName = normalizeZoneName(zone.spec.zoneName);
  const generated: Record<string, string> = {};
  for (const instance of ordered) {
    const address = ownedPodAddresses(caches, instance).find((a) => isIPv4(a));
    if (address !== undefined) generated[`ns${Object.keys(generated).length + 1}.${zoneName}.`] = address;
  }
  return Object.keys(generated).length === 0 ? zone : { ...zone, spec: { ...zone.spec, nameServerIps: generated } };
}
