/**
 * An instance's status.zones: every zone it serves is counted, the first STATUS_ZONES_LIMIT
 * (by namespace and name) are listed, and zones it does not serve are neither.
 */
import { instanceZonesStatus, STATUS_ZONES_LIMIT } from '../../src/controllers/instance-zones.js';
import type { Bind9Instance, ClusterBind9Provider, DNSZone } from '../../src/crds/types.js';
import type { KubeObject } from '../../src/kube/objects.js';
import type { Caches } from '../../src/controllers/caches.js';

function cache<T extends KubeObject>(items: T[]) {
  return {
    get: (key: string) => items.find((i) => `${i.metadata.namespace ?? ''}/${i.metadata.name}` === key || i.metadata.name === key),
    list: () => items,
    on: () => undefined,
  };
}

const instance: Bind9Instance = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'dns', namespace: 'ns', uid: 'uid-dns' }, spec: { clusterRef: 'c', role: 'primary' } };
const SOA = { primaryNs: 'ns1.other.test.', adminEmail: 'h.x.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
const zone = (name: string, clusterRef: string, namespace = 'ns'): DNSZone => ({
  apiVersion: 'bindy.firestoned.io/v1beta1',
  kind: 'DNSZone',
  metadata: { name, namespace, uid: `uid-${namespace}-${name}`, creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 },
  spec: { zoneName: `${name}.Test.`, clusterRef, soaRecord: SOA },
});

describe('instanceZonesStatus', () => {
  it('counts every zone the instance serves and lists the first STATUS_ZONES_LIMIT in namespace/name order', () => {
    const served = Array.from({ length: STATUS_ZONES_LIMIT + 5 }, (_, i) => zone(`z-${String(STATUS_ZONES_LIMIT + 5 - i).padStart(5, '0')}`, 'c'));
    const others = [zone('elsewhere', 'c', 'other-ns'), zone('not-mine', 'd')];
    const caches = { zones: cache([...others, ...served]), instances: cache([instance]), providers: cache<ClusterBind9Provider & KubeObject>([]) } as unknown as Pick<Caches, 'zones' | 'instances' | 'providers'>;
    const status = instanceZonesStatus(caches, instance);
    expect(status.zonesCount).toBe(STATUS_ZONES_LIMIT + 5);
    expect(status.zones).toHaveLength(STATUS_ZONES_LIMIT);
    expect(status.zones[0]).toEqual({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', name: 'z-00001', namespace: 'ns', zoneName: 'z-00001.test' });
    expect(status.zones.at(-1)?.name).toBe(`z-${String(STATUS_ZONES_LIMIT).padStart(5, '0')}`);
    expect(status.zones.map((z) => z.name)).toEqual([...status.zones.map((z) => z.name)].sort());
  });

  it('leaves out a zone being deleted', () => {
    const going = { ...zone('going', 'c'), metadata: { ...zone('going', 'c').metadata, deletionTimestamp: '2026-01-02T00:00:00Z' } };
    const caches = { zones: cache([zone('kept', 'c'), going]), instances: cache([instance]), providers: cache<ClusterBind9Provider & KubeObject>([]) } as unknown as Pick<Caches, 'zones' | 'instances' | 'providers'>;
    expect(instanceZonesStatus(caches, instance)).toEqual({ zonesCount: 1, zones: [expect.objectContaining({ name: 'kept' })] });
  });
});
