/**
 * cache-transform: the informer caches keep what the controllers read and drop what they never
 * do (managedFields, foreign annotations, a Deployment's pod template, a slice's topology).
 */
import { metadataOnly, trimDeployment, trimDigesting, trimEndpointSlice, trimObject, withoutManagedFields, type EndpointSliceView } from '../../src/kube/cache-transform.js';
import { sameAsDigested } from '../../src/kube/status-digest.js';
import type { KubeObject } from '../../src/kube/objects.js';

const metadata = {
  name: 'www',
  namespace: 'ns',
  uid: 'u1',
  resourceVersion: '7',
  generation: 2,
  creationTimestamp: '2026-01-01T00:00:00Z',
  labels: { zone: 'x' },
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', 'bindy.firestoned.io/owner': 'ns/dns' },
  finalizers: ['bindy.firestoned.io/cleanup'],
  managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
};

describe('cache transforms', () => {
  it('trimObject keeps spec, status and the metadata controllers read; drops managedFields and foreign annotations', () => {
    const record = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata, spec: { name: 'www' }, status: { zone: 'x.test' } } as KubeObject;
    const { managedFields: _m, annotations: _a, ...kept } = metadata;
    expect(trimObject(record)).toEqual({ ...record, metadata: { ...kept, annotations: { 'bindy.firestoned.io/owner': 'ns/dns' } } });
  });

  it('trimObject keeps a record\'s whole status as written (the status write compares against it) and its values, strings interned', () => {
    const status = {
      addresses: '198.51.100.1',
      conditions: [{ lastTransitionTime: '2026-01-01T00:00:01Z', message: 'served in zone x.test (DNSZone x) at serial 7 by every pod', observedGeneration: 2, reason: 'Attached', status: 'True', type: 'Ready' }],
      observedGeneration: 2,
      zone: 'x.test',
      zoneRef: { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', name: 'x', namespace: 'ns', zoneName: 'x.test' },
    };
    const text = JSON.stringify({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata, spec: { name: 'www', ipv4Addresses: ['198.51.100.1'] }, status });
    const cached = trimObject(JSON.parse(text) as KubeObject & { status: typeof status });
    expect(cached.status).toEqual(status);
    expect(JSON.stringify(cached.status)).toBe(JSON.stringify(status));
    expect((cached as unknown as { spec: unknown }).spec).toEqual({ name: 'www', ipv4Addresses: ['198.51.100.1'] });
    expect(cached.metadata).toEqual({ name: 'www', namespace: 'ns', uid: 'u1', resourceVersion: '7', generation: 2, creationTimestamp: '2026-01-01T00:00:00Z', labels: { zone: 'x' }, annotations: { 'bindy.firestoned.io/owner': 'ns/dns' }, finalizers: ['bindy.firestoned.io/cleanup'] });
  });

  it('trimDigesting keeps written-only status fields as digests that tell an equal value from a changed one', () => {
    const zoneRef = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', name: 'x', namespace: 'ns', zoneName: 'x.test' };
    const status = { zone: 'x.test', zoneRef, observedGeneration: 2 };
    const decode = () => JSON.parse(JSON.stringify({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata, spec: { name: 'www' }, status })) as KubeObject & { status: Record<string, unknown> };
    const cached = trimDigesting<KubeObject & { status: Record<string, unknown> }>(['zoneRef', 'records'])(decode());
    expect(cached.status.zone).toBe('x.test');
    expect(cached.status.observedGeneration).toBe(2);
    expect(typeof cached.status.zoneRef).toBe('string');
    // Records of one zone share one digest string.
    expect(trimDigesting<KubeObject & { status: Record<string, unknown> }>(['zoneRef'])(decode()).status.zoneRef).toBe(cached.status.zoneRef);
    // The same value with its keys in another order is the same; any changed value is not.
    const { zoneName, ...rest } = zoneRef;
    expect(sameAsDigested(cached.status, 'zoneRef', { zoneName, ...rest })).toBe(true);
    expect(sameAsDigested(cached.status, 'zoneRef', { ...zoneRef, name: 'y' })).toBe(false);
    expect(sameAsDigested(cached.status, 'zoneRef', { ...zoneRef, extra: 1 })).toBe(false);
    // Fields kept as they are, and fields absent, are no digests: they are compared as values.
    expect(sameAsDigested(cached.status, 'zone', 'x.test')).toBeUndefined();
    expect(sameAsDigested(cached.status, 'records', [])).toBeUndefined();
  });

  it('withoutManagedFields keeps every annotation (objects bindy replaces from its cache)', () => {
    const out = withoutManagedFields({ metadata } as KubeObject);
    expect(out.metadata).not.toHaveProperty('managedFields');
    expect(out.metadata.annotations).toEqual(metadata.annotations);
  });

  it('trimDeployment keeps the replica counts and drops the pod template', () => {
    const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { replicas: 2, template: { spec: { containers: [] } } }, status: { replicas: 2, readyReplicas: 1, updatedReplicas: 2, observedGeneration: 2, conditions: [] } };
    expect(trimDeployment(d as never)).toMatchObject({ spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 1, updatedReplicas: 2, observedGeneration: 2 } });
    expect(JSON.stringify(trimDeployment(d as never))).not.toMatch(/template|conditions|managedFields|last-applied/);
  });

  it('metadataOnly keeps a pod\'s ownership and drops its spec and status', () => {
    const ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'dns-7c9', uid: 'rs1', controller: true }];
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...metadata, ownerReferences }, spec: { containers: [{ name: 'bind9' }] }, status: { podIP: '10.0.0.1' } } as KubeObject;
    const out = metadataOnly(pod);
    expect(out.metadata.ownerReferences).toEqual(ownerReferences);
    expect(out.metadata.uid).toBe('u1');
    expect(out).not.toHaveProperty('spec');
    expect(out).not.toHaveProperty('status');
    expect(out.metadata).not.toHaveProperty('managedFields');
  });

  it('trimEndpointSlice keeps addresses, readiness and the pod name', () => {
    const s = { metadata, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: 'p', uid: 'x' }, nodeName: 'n', zone: 'z' }], ports: [{ port: 53 }] };
    expect(trimEndpointSlice(s as EndpointSliceView).endpoints).toEqual([{ addresses: ['10.0.0.1'], conditions: { ready: true, terminating: false }, targetRef: { name: 'p' } }]);
  });
});
