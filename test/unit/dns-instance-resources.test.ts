import { crossNamespaceName, instanceNames, isOwnedBy, namedConfFor, ownedObjects } from '../../src/controllers/bind9-resources.js';
import type { Bind9Instance } from '../../src/crds/types.js';

const instance: Bind9Instance = {
  apiVersion: 'bindy.firestoned.io/v1beta1',
  kind: 'Bind9Instance',
  metadata: { name: 'dns', namespace: 'team-a', uid: 'u-1' },
  spec: { clusterRef: 'c', role: 'primary', replicas: 2, config: { recursion: false, allowTransfer: ['10.0.0.0/8'] } },
};
const settings = { agentImage: 'bindy:1', leaseNamespace: 'dns-system', operatorNamespace: 'dns-system', leaseName: 'bindy-leader', leaderElection: true };

type Obj = Record<string, any>;

describe('Bind9Instance owned objects', () => {
  const objects = ownedObjects(instance, settings, 'dns-agent-tls-0123456789');
  const byKind = (kind: string) => objects.map((o) => o.object as Obj).find((o) => o.kind === kind) as Obj;

  it('are all labelled as bindy-managed; those in the instance namespace are owned by the instance', () => {
    for (const { object } of objects) {
      expect(object.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('bindy');
      if (object.metadata.namespace === 'team-a') expect(object.metadata.ownerReferences?.[0]).toMatchObject({ uid: 'u-1', controller: true });
    }
  });

  it('runs named and the agent hardened, with probes', () => {
    const pod = byKind('Deployment').spec.template.spec;
    expect(byKind('Deployment').spec.replicas).toBe(2);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.readinessProbe).toBeDefined();
      expect(c.livenessProbe).toBeDefined();
    }
    // Non-root named binds :53 through the pod sysctl; an added capability would not reach it (issue 13).
    expect(pod.containers[0].securityContext.capabilities.add).toBeUndefined();
    expect(pod.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
    expect(pod.containers[1].args).toEqual(['agent']);
  });

  it('mounts the agent certificate Secret into the agent only, and probes the agent over HTTPS', () => {
    const pod = byKind('Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'agent-tls', secret: expect.objectContaining({ secretName: 'dns-agent-tls-0123456789' }) });
    expect(pod.containers[1].volumeMounts).toContainEqual({ name: 'agent-tls', mountPath: '/etc/bindy/agent-tls', readOnly: true });
    expect(pod.containers[0].volumeMounts.map((m: Obj) => m.name)).not.toContain('agent-tls');
    expect([pod.containers[1].readinessProbe.httpGet.scheme, pod.containers[1].livenessProbe.httpGet.scheme]).toEqual(['HTTPS', 'HTTPS']);
  });

  it('lets anyone query DNS and only the operator\'s pods reach the agent port', () => {
    const policy = byKind('NetworkPolicy');
    expect(policy.metadata).toMatchObject({ name: 'dns', namespace: 'team-a' });
    expect(policy.spec.podSelector).toEqual({ matchLabels: byKind('Deployment').spec.selector.matchLabels });
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([
      { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns-system' } }, podSelector: { matchLabels: { app: 'bindy' } } }], ports: [{ protocol: 'TCP', port: 8053 }] },
    ]);
  });

  it('serves DNS on 53 over UDP and TCP', () => {
    expect(byKind('Service').spec.ports.map((p: Obj) => `${p.port}/${p.protocol}`)).toEqual(['53/UDP', '53/TCP']);
  });

  it('lets the agents read exactly the leader Lease, in the lease namespace', () => {
    const role = byKind('Role');
    expect(role.metadata.namespace).toBe('dns-system');
    expect(role.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['bindy-leader'], verbs: ['get'] }]);
    expect(byKind('RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: instanceNames(instance).serviceAccount, namespace: 'team-a' }]);
  });

  it('names cross-namespace objects apart when namespace-name joins collide (adv/b-c vs adv-b/c), within 63 characters', () => {
    const of = (namespace: string, name: string) => instanceNames({ ...instance, metadata: { name, namespace } }).leaseReader;
    expect(of('adv', 'b-c')).not.toBe(of('adv-b', 'c'));
    expect(of('adv', 'b-c')).toMatch(/^bindy-lease-reader-adv-b-c-[0-9a-f]{12}$/);
    const long = crossNamespaceName('bindy-lease-reader', { ...instance, metadata: { name: 'n'.repeat(253), namespace: 'x'.repeat(63) } });
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('labels and annotates every object with its owner, and knows another instance\'s object from its own', () => {
    for (const { object } of objects) {
      expect(object.metadata.annotations?.['bindy.firestoned.io/owner']).toBe('team-a/dns');
      expect(object.metadata.labels).toMatchObject({ 'bindy.firestoned.io/instance': 'dns', 'bindy.firestoned.io/instance-namespace': 'team-a' });
      expect(isOwnedBy(object, instance)).toBe(true);
      expect(isOwnedBy(object, { ...instance, metadata: { name: 'dns', namespace: 'team-b' } })).toBe(false);
    }
    const legacy = { metadata: { name: 'x', namespace: 'team-a', labels: { 'bindy.firestoned.io/instance': 'dns' } } };
    expect(isOwnedBy(legacy, instance)).toBe(true);
    expect(isOwnedBy({ metadata: { ...legacy.metadata, namespace: 'dns-system' } }, instance)).toBe(false);
  });

  it('renders named.conf from spec.config with defaults', () => {
    const conf = namedConfFor(instance);
    expect(conf).toContain('allow-transfer { 10.0.0.0/8; }');
    expect(conf).toContain('allow-query { any; }');
    expect(conf).toContain('version none;');
  });

  it('has no lease RBAC when leader election is off', () => {
    expect(ownedObjects(instance, { ...settings, leaderElection: false }, 'dns-agent-tls-0123456789').map((o) => o.object.kind)).not.toContain('Role');
  });

  it('rolls the pods when named.conf changes', () => {
    const hash = (i: Bind9Instance) => ((ownedObjects(i, settings, 'dns-agent-tls-0123456789').find((o) => o.object.kind === 'Deployment')?.object as Obj).spec.template.metadata.annotations)['bindy.firestoned.io/config-hash'];
    expect(hash(instance)).toBe(hash({ ...instance, spec: { ...instance.spec, replicas: 3 } }));
    expect(hash(instance)).not.toBe(hash({ ...instance, spec: { ...instance.spec, config: { recursion: true } } }));
  });
});
