import { desiredInstances } from '../../src/controllers/bind9-cluster.js';
import { servesZone, zoneInstances } from '../../src/controllers/selection.js';
import type { Bind9Cluster, Bind9Instance, ClusterBind9Provider, DNSZone } from '../../src/crds/types.js';
import type { KubeObject } from '../../src/kube/objects.js';

const B = 'bindy.firestoned.io/v1beta1' as const;
const cluster: Bind9Cluster = {
  apiVersion: B,
  kind: 'Bind9Cluster',
  metadata: { name: 'corp', namespace: 'dns', uid: 'u-c' },
  spec: { version: '9.20', primary: { replicas: 2, labels: { tier: 'edge' }, allowTransfer: ['10.0.0.0/8'] }, secondary: { replicas: 1 }, global: { recursion: false, bindcarConfig: { image: 'x' } } },
};

function cache<T extends KubeObject>(items: T[]) {
  return { get: (key: string) => items.find((i) => (i.metadata.namespace ? `${i.metadata.namespace}/${i.metadata.name}` : i.metadata.name) === key), list: (ns?: string) => items.filter((i) => ns === undefined || i.metadata.namespace === ns) };
}
const instance = (name: string, namespace: string, clusterRef: string, labels: Record<string, string> = {}): Bind9Instance => ({ apiVersion: B, kind: 'Bind9Instance', metadata: { name, namespace, labels }, spec: { clusterRef, role: 'primary' } });
const zone = (namespace: string, spec: Partial<DNSZone['spec']>): DNSZone => ({ apiVersion: B, kind: 'DNSZone', metadata: { name: 'z', namespace }, spec: { zoneName: 'z.test', soaRecord: { primaryNs: 'ns.z.test.', adminEmail: 'a.z.test.', serial: 1, refresh: 1, retry: 1, expire: 1, negativeTtl: 1 }, ...spec } });

describe('Bind9Cluster instances', () => {
  it("are upstream's <cluster>-<role>-<i>, one pod each, owned by the cluster, with the cluster's config and role labels", () => {
    const want = desiredInstances(cluster);
    expect(want.map((i) => i.metadata.name)).toEqual(['corp-primary-0', 'corp-primary-1', 'corp-secondary-0']);
    expect(want[0]!.spec).toEqual({ clusterRef: 'corp', role: 'primary', replicas: 1, version: '9.20', config: { recursion: false, allowTransfer: ['10.0.0.0/8'] }, bindcarConfig: { image: 'x' } });
    expect(want[0]!.metadata.labels).toMatchObject({ tier: 'edge', 'bindy.firestoned.io/role': 'primary', 'bindy.firestoned.io/cluster': 'corp', 'bindy.firestoned.io/managed-by': 'Bind9Cluster' });
    expect(want[2]!.metadata.labels?.tier).toBeUndefined();
    expect(want[0]!.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Bind9Cluster', uid: 'u-c', controller: true })]);
  });

  it('default to one primary and no secondary', () => {
    expect(desiredInstances({ ...cluster, spec: {} }).map((i) => i.metadata.name)).toEqual(['corp-primary-0']);
  });
});

describe('which instances serve a zone', () => {
  const instances = [instance('a', 'team', 'corp'), instance('b', 'other', 'corp'), instance('p', 'dns', 'platform'), instance('l', 'team', 'x', { env: 'prod', region: 'eu' })];
  const provider: ClusterBind9Provider = { apiVersion: B, kind: 'ClusterBind9Provider', metadata: { name: 'platform' }, spec: {} };
  const caches = { instances: cache(instances), providers: cache([provider]) } as never;
  const names = (z: DNSZone) => zoneInstances(caches, z).map((i) => `${i.metadata.namespace}/${i.metadata.name}`);

  it('clusterRef to a Bind9Cluster reaches its instances in the zone namespace only', () => {
    expect(names(zone('team', { clusterRef: 'corp' }))).toEqual(['team/a']);
  });
  it('clusterRef to a ClusterBind9Provider reaches its instances in any namespace', () => {
    expect(names(zone('team', { clusterRef: 'platform' }))).toEqual(['dns/p']);
  });
  it('bind9InstancesFrom selects by matchLabels and matchExpressions, as a union with clusterRef', () => {
    const z = zone('team', { clusterRef: 'corp', bind9InstancesFrom: [{ selector: { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['us'] }] } }] });
    expect(names(z)).toEqual(['team/a', 'team/l']);
    expect(servesZone(caches, zone('team', { bind9InstancesFrom: [{ selector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['us'] }] } }] }), instances[3]!)).toBe(false);
  });
});

describe('options Bindy-TS does not implement yet', () => {
  it('are each named for an instance and a cluster that set every upstream field, and none for a plain one', async () => {
    const { FULL_OBJECTS } = await import('../support/full-objects.js');
    const { unsupportedClusterFields, unsupportedInstanceFields } = await import('../../src/controllers/unsupported.js');
    const full = { apiVersion: B, kind: 'Bind9Instance', metadata: { name: 'x' }, spec: FULL_OBJECTS.Bind9Instance.spec } as Bind9Instance;
    expect(unsupportedInstanceFields(full)).toEqual([
      'spec.primaryServers',
      'spec.config.dnssec.signing.nsec3Salt',
      'spec.config.dnssec.signing.exportToSecret',
      'spec.config.dnssec.signing.keysFrom',
      'spec.config.dnssec.signing.algorithm/kskLifetime/zskLifetime/nsec3/nsec3Iterations with named\'s built-in policy "default" (give signing.policy a name of your own to tune it)',
      'spec.config.forwarders',
      'spec.config.listenOn',
      'spec.config.listenOnV6',
      'spec.config.rndcSecretRef',
      'spec.config.bindcarConfig',
      'spec.configMapRefs',
      'spec.storage.persistentVolumeClaim',
      'spec.volumes',
      'spec.volumeMounts',
      'spec.rndcKey.autoRotate',
      'spec.rndcKey',
      'spec.rndcSecretRef',
      'spec.bindcarConfig',
      'spec.image.imagePullSecrets',
    ]);
    expect(unsupportedInstanceFields(instance('a', 'ns', 'c'))).toEqual([]);
    const fullCluster = { ...cluster, spec: FULL_OBJECTS.Bind9Cluster.spec } as Bind9Cluster;
    expect(unsupportedClusterFields(fullCluster)).toEqual(['spec.primary.service', 'spec.primary.rndcSecretRef', 'spec.secondary.service', 'spec.secondary.rndcSecretRef', 'spec.acls', 'spec.rndcSecretRefs']);
    expect(unsupportedClusterFields(cluster)).toEqual([]);
  });
});
