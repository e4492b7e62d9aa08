import type { Caches } from '../../src/controllers/caches.js';
import { ownedPodAddresses } from '../../src/controllers/owned-pods.js';
import type { Bind9Instance } from '../../src/crds/types.js';
import type { KubeObject, OwnerReference } from '../../src/kube/objects.js';

function cache<T extends KubeObject>(items: T[]) {
  return {
    get: (key: string) => items.find((i) => `${i.metadata.namespace}/${i.metadata.name}` === key),
    list: (ns?: string) => items.filter((i) => ns === undefined || i.metadata.namespace === ns),
  };
}

const ref = (kind: string, name: string, uid: string): OwnerReference => ({ apiVersion: 'v1', kind, name, uid, controller: true });
const obj = (name: string, uid: string, owner?: OwnerReference): KubeObject => ({ metadata: { name, namespace: 'team', uid, ...(owner ? { ownerReferences: [owner] } : {}) } });
const instance = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name: 'dns', namespace: 'team', uid: 'inst' }, spec: {} } as Bind9Instance;

const deployment = obj('dns', 'dep', ref('Bind9Instance', 'dns', 'inst'));
const rs = obj('dns-abc', 'rs', ref('Deployment', 'dns', 'dep'));
const otherRs = obj('other-abc', 'rs2', ref('Deployment', 'other', 'dep2'));
const pods = [
  obj('dns-abc-1', 'p1', ref('ReplicaSet', 'dns-abc', 'rs')),
  // Made by hand with the instance's labels: no controller.
  obj('rogue', 'p2'),
  // Claims the instance's ReplicaSet by name, with a forged uid.
  obj('forged', 'p3', ref('ReplicaSet', 'dns-abc', 'not-rs')),
  // Made by another Deployment's ReplicaSet.
  obj('other-abc-1', 'p4', ref('ReplicaSet', 'other-abc', 'rs2')),
  obj('dns-abc-2', 'p5', ref('ReplicaSet', 'dns-abc', 'rs')),
];
const endpoint = (pod: string, address: string, ready = true) => ({ addresses: [address], conditions: { ready }, targetRef: { name: pod } });
const slice = {
  metadata: { name: 'dns-x', namespace: 'team', labels: { 'kubernetes.io/service-name': 'dns' } },
  endpoints: [endpoint('dns-abc-1', '10.0.0.1'), endpoint('rogue', '10.0.0.2'), endpoint('forged', '10.0.0.3'), endpoint('other-abc-1', '10.0.0.4'), endpoint('dns-abc-2', '10.0.0.5', false)],
};

function caches(deployments: KubeObject[] = [deployment]) {
  return { slices: cache([slice]), pods: cache(pods), replicaSets: cache([rs, otherRs]), deployments: cache(deployments) } as unknown as Caches;
}

describe('ownedPodAddresses', () => {
  it('keeps only ready pods whose ReplicaSet (by uid) belongs to the instance\'s own Deployment (by uid)', () => {
    expect(ownedPodAddresses(caches(), instance)).toEqual(['10.0.0.1']);
  });

  it('finds nothing while the Deployment of that name is not the instance\'s', () => {
    expect(ownedPodAddresses(caches([obj('dns', 'dep', ref('Bind9Instance', 'dns', 'another-instance'))]), instance)).toEqual([]);
    expect(ownedPodAddresses(caches([]), instance)).toEqual([]);
  });

  it('answers again from memory until one of the caches it reads changes', () => {
    const slices = [slice];
    const counted = { slices: { ...cache(slices), changes: 0 }, pods: { ...cache(pods), changes: 0 }, replicaSets: { ...cache([rs, otherRs]), changes: 0 }, deployments: { ...cache([deployment]), changes: 0 } };
    const first = ownedPodAddresses(counted as unknown as Caches, instance);
    expect(ownedPodAddresses(counted as unknown as Caches, instance)).toBe(first);
    // dns-abc-2 becomes ready: the slice changes, and so does its informer's count.
    slices[0] = { ...slice, endpoints: slice.endpoints.map((e) => (e.targetRef.name === 'dns-abc-2' ? endpoint('dns-abc-2', '10.0.0.5') : e)) };
    expect(ownedPodAddresses(counted as unknown as Caches, instance)).toBe(first);
    counted.slices.changes++;
    expect(ownedPodAddresses(counted as unknown as Caches, instance)).toEqual(['10.0.0.1', '10.0.0.5']);
  });
});
