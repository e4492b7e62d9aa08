import { compare, covers, grantsOf, type Use } from '../support/rbac-audit.js';

const use = (u: Partial<Use>): Use => ({ user: 'u', group: '', resource: 'secrets', verb: 'get', scope: 'instance', code: 200, at: 0, ...u });

describe('used vs granted (audit comparison)', () => {
  it('a ClusterRole grant covers every scope, a Role grant only its own', () => {
    const [cluster] = grantsOf([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], 'any');
    const [lease] = grantsOf([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], 'lease');
    expect(covers(cluster!, use({ scope: 'instance' }))).toBe(true);
    expect(covers(lease!, use({ scope: 'instance' }))).toBe(false);
    expect(covers(lease!, use({ scope: 'lease' }))).toBe(true);
  });

  it('a grant with resourceNames covers only requests naming one of them', () => {
    const [g] = grantsOf([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['watch'], resourceNames: ['bindy-leader'] }], 'lease');
    const base = { group: 'coordination.k8s.io', resource: 'leases', verb: 'watch', scope: 'lease' as const };
    expect(covers(g!, use({ ...base, name: 'bindy-leader' }))).toBe(true);
    expect(covers(g!, use({ ...base, name: 'other' }))).toBe(false);
    expect(covers(g!, use(base))).toBe(false);
  });

  it('folds the record kinds into one class and reports unused grants and denied or ungranted uses', () => {
    const grants = grantsOf([{ apiGroups: ['bindy.firestoned.io'], resources: ['arecords', 'txtrecords'], verbs: ['list', 'patch'] }], 'any');
    expect(grants).toHaveLength(2);
    const result = compare([use({ group: 'bindy.firestoned.io', resource: '<records>', verb: 'list', scope: 'cluster' }), use({ verb: 'delete' }), use({ verb: 'get', code: 403 })], grants);
    expect(result.grantedNotUsed).toEqual(['bindy.firestoned.io/<records> patch @any']);
    expect(result.usedNotGranted).toEqual(['core/secrets delete @instance', 'core/secrets get @instance']);
  });

  it('reports a denied use even when the same permission was used successfully later', () => {
    const [g] = grantsOf([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], 'any');
    expect(compare([use({ code: 403, at: 1 }), use({ code: 200, at: 2 })], [g!]).usedNotGranted).toEqual(['core/secrets get @instance']);
  });
});
