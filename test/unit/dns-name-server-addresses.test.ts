import type { Caches } from '../../src/controllers/caches.js';
import { withInstanceNameServers } from '../../src/controllers/name-server-addresses.js';
import type { Bind9Instance, DNSZone } from '../../src/crds/types.js';
import { buildZone } from '../../src/dns/build.js';
import type { KubeObject, OwnerReference } from '../../src/kube/objects.js';

const list = <T extends KubeObject>(items: T[]) => ({
  get: (key: string) => items.find((i) => `${i.metadata.namespace}/${i.metadata.name}` === key),
  list: (ns?: string) => items.filter((i) => ns === undefined || i.metadata.namespace === ns),
});

const instance = (name: string, role: 'primary' | 'secondary'): Bind9Instance => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name, namespace: 'ns', uid: name }, spec: { clusterRef: 'c', role } });
/** A ready address counts only for a pod the instance's own Deployment made (owned-pods.ts); `pod` names the endpoint's pod, 'lookalike' is a pod no ReplicaSet made. */
const slice = (service: string, addresses: string[], ready = true, pod = `${service}-rs-1`) => ({ metadata: { name: `${service}-x`, namespace: 'ns', labels: { 'kubernetes.io/service-name': service } }, endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready }, targetRef: { name: pod } })) });
const ref = (kind: string, name: string, uid: string): OwnerReference => ({ apiVersion: 'v1', kind, name, uid, controller: true });
const owned = (name: string, uid: string, owner?: OwnerReference): KubeObject => ({ metadata: { name, namespace: 'ns', uid, ...(owner ? { ownerReferences: [owner] } : {}) } });

const SOA = { primaryNs: 'ns1.x.test.', adminEmail: 'h.x.test.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
const zone = (extra: Partial<DNSZone['spec']> = {}): DNSZone => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name: 'z', namespace: 'ns', uid: 'u' }, spec: { zoneName: 'x.test', clusterRef: 'c', soaRecord: SOA, ...extra } });

function caches(instances: Bind9Instance[], slices: ReturnType<typeof slice>[]) {
  const names = instances.map((i) => i.metadata.name);
  const deployments = names.map((n) => owned(n, `${n}-dep`, ref('Bind9Instance', n, n)));
  const replicaSets = names.map((n) => owned(`${n}-rs`, `${n}-rs`, ref('Deployment', n, `${n}-dep`)));
  const pods = [...names.map((n) => owned(`${n}-rs-1`, `${n}-pod`, ref('ReplicaSet', `${n}-rs`, `${n}-rs`))), owned('lookalike', 'lookalike')];
  return { instances: list(instances as never[]), providers: list([]), slices: list(slices as never[]), deployments: list(deployments), replicaSets: list(replicaSets), pods: list(pods) } as unknown as Caches;
}

describe('name-server addresses for a zone that gives none (upstream\'s ns<i>.<zone>.)', () => {
  // Listed out of order: primaries come first, then secondaries, each by its first ready IPv4 pod address.
  const all = caches(
    [instance('b-secondary', 'secondary'), instance('a-primary', 'primary'), instance('c-primary', 'primary')],
    [slice('b-secondary', ['10.0.0.9']), slice('a-primary', ['10.0.0.7', 'fd00::7']), slice('c-primary', ['10.0.0.3'], false)],
  );

  it('are ns1, ns2, … for the instances with a ready pod, primaries first, so a zone whose primaryNs is ns1.<zone>. loads', () => {
    expect(buildZone(zone(), []).zoneVerdict).toMatchObject({ ok: false, reason: 'NSTargetWithoutAddress' });
    const effective = withInstanceNameServers(all, zone());
    expect(effective.spec.nameServerIps).toEqual({ 'ns1.x.test.': '10.0.0.7', 'ns2.x.test.': '10.0.0.9' });
    expect(buildZone(effective, []).zoneVerdict).toEqual({ ok: true });
  });

  it('are not made when the zone names its name servers or their addresses itself, nor when no instance has a ready pod', () => {
    const named = zone({ nameServers: [{ hostname: 'ns2.x.test.', ipv4Address: '192.0.2.2' }] });
    expect(withInstanceNameServers(all, named)).toBe(named);
    const legacy = zone({ nameServerIps: { 'ns1.x.test.': '192.0.2.1' } });
    expect(withInstanceNameServers(all, legacy)).toBe(legacy);
    const bare = zone();
    expect(withInstanceNameServers(caches([instance('a-primary', 'primary')], []), bare)).toBe(bare);
  });

  it('never name a ready pod the instance\'s own Deployment did not make (a look-alike in its Service)', () => {
    const bare = zone();
    expect(withInstanceNameServers(caches([instance('a-primary', 'primary')], [slice('a-primary', ['10.0.0.66'], true, 'lookalike')]), bare)).toBe(bare);
  });
});
