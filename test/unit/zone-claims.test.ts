import type { Caches } from '../../src/controllers/caches.js';
import { parseZonePolicy, ZONE_POLICY_ANNOTATION, ZoneClaims } from '../../src/controllers/zone-claims.js';
import type { Bind9Instance, ClusterBind9Provider, DNSZone } from '../../src/crds/types.js';
import type { KubeObject } from '../../src/kube/objects.js';

const B = 'bindy.firestoned.io/v1beta1';

function cache<T extends KubeObject>(items: T[]) {
  return {
    get: (key: string) => items.find((i) => (i.metadata.namespace ? `${i.metadata.namespace}/${i.metadata.name}` : i.metadata.name) === key),
    list: (ns?: string) => items.filter((i) => ns === undefined || i.metadata.namespace === ns),
  };
}

const instance = (ns: string, name: string, clusterRef = 'own'): Bind9Instance => ({ apiVersion: B, kind: 'Bind9Instance', metadata: { name, namespace: ns, labels: { server: name } }, spec: { clusterRef, role: 'primary' } });
const provider = (name: string, policy?: string): ClusterBind9Provider =>
  ({ apiVersion: B, kind: 'ClusterBind9Provider', metadata: { name, ...(policy === undefined ? {} : { annotations: { [ZONE_POLICY_ANNOTATION]: policy } }) }, spec: {} }) as ClusterBind9Provider;

/** zone selects the named instances of its namespace by label, or a cluster/provider by clusterRef. */
function zone(ns: string, name: string, created: string, zoneName: string, select: { servers?: string[]; clusterRef?: string }, deleting = false): DNSZone {
  const from = (select.servers ?? []).map((s) => ({ selector: { matchLabels: { server: s } } }));
  return {
    apiVersion: B,
    kind: 'DNSZone',
    metadata: { name, namespace: ns, uid: `${ns}/${name}`, creationTimestamp: created, ...(deleting ? { deletionTimestamp: '2026-03-01T00:00:00Z' } : {}) },
    spec: { zoneName, ...(from.length > 0 ? { bind9InstancesFrom: from } : {}), ...(select.clusterRef ? { clusterRef: select.clusterRef } : {}) },
  } as DNSZone;
}

function claims(zones: DNSZone[], instances: Bind9Instance[], providers: ClusterBind9Provider[] = []) {
  const caches = { zones: cache(zones), instances: cache(instances), providers: cache(providers) } as unknown as Caches;
  return { claims: new ZoneClaims(caches), caches };
}

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-02-01T00:00:00Z';
const T3 = '2026-03-01T00:00:00Z';

describe('zone claims', () => {
  it('grants one zoneName to two DNSZones whose instances do not meet', () => {
    const a = zone('a', 'z', T1, 'example.com', { servers: ['x'] });
    const b = zone('b', 'z', T2, 'example.com', { servers: ['y'] });
    const { claims: c } = claims([a, b], [instance('a', 'x'), instance('b', 'y')]);
    expect(c.verdict(a)).toMatchObject({ granted: true });
    expect(c.verdict(b)).toMatchObject({ granted: true });
  });

  it('refuses the younger of two zones on one instance, naming the owner and the instance', () => {
    const old = zone('ns', 'old', T1, 'example.com', { servers: ['x'] });
    const young = zone('ns', 'young', T2, 'Example.com.', { servers: ['x'] });
    const { claims: c } = claims([young, old], [instance('ns', 'x')]);
    expect(c.verdict(old)).toMatchObject({ granted: true });
    expect(c.verdict(young)).toMatchObject({ granted: false, reason: 'DuplicateZone', message: expect.stringContaining('on Bind9Instance ns/x is already served by DNSZone ns/old') });
  });

  it('lets an older zone that selects nothing claim nothing (the squat of the issue)', () => {
    const squat = zone('adv-b', 'squat', T1, 'adv.example', {});
    const real = zone('adv', 'real', T2, 'adv.example', { servers: ['x'] });
    const { claims: c } = claims([squat, real], [instance('adv', 'x')]);
    expect(c.verdict(squat)).toMatchObject({ granted: false, reason: 'NoInstances' });
    expect(c.refused(squat)).toBe(false);
    expect(c.verdict(real)).toMatchObject({ granted: true });
  });

  it('judges a claim only against granted ones: a refused middle claim blocks no one', () => {
    const a = zone('ns', 'a', T1, 'example.com', { servers: ['x'] });
    const b = zone('ns', 'b', T2, 'example.com', { servers: ['x', 'y'] });
    const c3 = zone('ns', 'c', T3, 'example.com', { servers: ['y'] });
    const { claims: c } = claims([c3, b, a], [instance('ns', 'x'), instance('ns', 'y')]);
    expect([a, b, c3].map((z) => c.verdict(z).granted)).toEqual([true, false, true]);
  });

  it('keeps the claim of a deleting zone until its finalizer has taken the zone off its servers', () => {
    const leaving = zone('ns', 'leaving', T1, 'example.com', { servers: ['x'] }, true);
    const next = zone('ns', 'next', T2, 'example.com', { servers: ['x'] });
    const { claims: c } = claims([leaving, next], [instance('ns', 'x')]);
    expect(c.verdict(leaving)).toMatchObject({ granted: true });
    expect(c.verdict(next)).toMatchObject({ granted: false, reason: 'DuplicateZone' });
  });

  describe('on a ClusterBind9Provider with the allowed-zones annotation', () => {
    const shared = [instance('dns-system', 'shared-primary-0', 'shared')];
    const policy = JSON.stringify({ team: ['team.example.com'], ops: ['.'] });

    it('refuses a namespace the annotation does not allow the name, even when it came first, and grants the allowed one', () => {
      const squat = zone('other', 'squat', T1, 'team.example.com', { clusterRef: 'shared' });
      const owner = zone('team', 'owner', T2, 'team.example.com', { clusterRef: 'shared' });
      const { claims: c } = claims([squat, owner], shared, [provider('shared', policy)]);
      expect(c.verdict(squat)).toMatchObject({
        granted: false,
        reason: 'ZoneNotAllowed',
        message: `namespace other may not serve team.example.com on the instances of ClusterBind9Provider shared: its annotation ${ZONE_POLICY_ANNOTATION} allows other no zone names; DNSZone team/owner serves it on Bind9Instance dns-system/shared-primary-0`,
      });
      expect(c.verdict(owner)).toMatchObject({ granted: true });
    });

    it.each([
      ['team', 'a.team.example.com', true],
      ['team', 'team.example.com.', true],
      ['team', 'xteam.example.com', false],
      ['team', 'example.com', false],
      ['ops', 'anything.test', true],
    ])('namespace %s may serve %s: %s', (ns, zoneName, granted) => {
      const z = zone(ns, 'z', T1, zoneName, { clusterRef: 'shared' });
      expect(claims([z], shared, [provider('shared', policy)]).claims.verdict(z).granted).toBe(granted);
    });

    it('refuses every claim while the annotation is malformed (fails closed) and says so', () => {
      const z = zone('team', 'z', T1, 'team.example.com', { clusterRef: 'shared' });
      expect(claims([z], shared, [provider('shared', '{"team": "team.example.com"}')]).claims.verdict(z)).toMatchObject({ granted: false, reason: 'ZoneNotAllowed', message: expect.stringMatching(/annotation .* is invalid \(the value for namespace "team" must be a list of zone names\)/) });
    });

    it('does not restrict instances of a provider without the annotation, nor a tenant\'s own instances', () => {
      const onShared = zone('any', 'z', T1, 'x.test', { clusterRef: 'open' });
      const own = zone('other', 'own', T1, 'team.example.com', { servers: ['mine'] });
      const { claims: c } = claims([onShared, own], [instance('dns-system', 'open-primary-0', 'open'), instance('other', 'mine')], [provider('open'), provider('shared', policy)]);
      expect(c.verdict(onShared).granted).toBe(true);
      expect(c.verdict(own).granted).toBe(true);
    });
  });

  it.each([
    ['[]', /JSON object/],
    ['{', /not JSON/],
    ['{"a": [1]}', /namespace "a" must be a list/],
  ])('parseZonePolicy rejects %s', (raw, problem) => {
    expect(parseZonePolicy(raw)).toMatch(problem);
  });
});
