import { internStrings } from './intern.js';
import { digestFields } from './status-digest.js';
import type { KubeObject } from './objects.js';

/** CacheTransform turns an object from a list or watch into what the cache keeps of it. */
export type CacheTransform<T extends KubeObject> = (obj: T) => T;

/** Annotations under this prefix are bindy's own (owner, desired hash, instance index): the only ones read. */
const OWN_ANNOTATIONS = 'bindy.firestoned.io/';

/**
 * trimMetadata keeps the metadata fields the controllers read and drops the rest, as
 * controller-runtime's cache transforms do: `managedFields` (one entry per writer, often larger than
 * the spec; every status write of a record adds one), and annotations that are not bindy's (`kubectl
 * apply`'s last-applied-configuration repeats the whole object). An informer holds every object
 * of its kind for as long as the operator runs, standbys included, so this is most of its memory.
 */
export function trimMetadata(metadata: KubeObject['metadata']): KubeObject['metadata'] {
  const { name, namespace, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp, labels, finalizers, ownerReferences } = metadata;
  const own = Object.entries(metadata.annotations ?? {}).filter(([k]) => k.startsWith(OWN_ANNOTATIONS));
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(uid === undefined ? {} : { uid }),
    ...(resourceVersion === undefined ? {} : { resourceVersion }),
    ...(generation === undefined ? {} : { generation }),
    ...(creationTimestamp === undefined ? {} : { creationTimestamp }),
    ...(deletionTimestamp === undefined ? {} : { deletionTimestamp }),
    ...(labels === undefined ? {} : { labels }),
    ...(own.length === 0 ? {} : { annotations: Object.fromEntries(own) }),
    ...(finalizers === undefined ? {} : { finalizers }),
    ...(ownerReferences === undefined ? {} : { ownerReferences }),
  };
}

/**
 * trimObject is trimMetadata for objects bindy never writes back whole (DNSZones, records, its
 * Secrets: only status and finalizer merge patches): spec and status are kept, whole — status
 * writes compare the new status with the cached one (status.ts), so a field dropped here would
 * be written again on every reconcile. Its strings are interned (intern.ts): a record repeats
 * most of its zone's and its siblings' strings, and these caches hold every record.
 */
export function trimObject<T extends KubeObject>(obj: T): T {
  return internStrings({ ...obj, metadata: trimMetadata(obj.metadata) });
}

/**
 * trimDigesting is trimObject that also keeps the named status fields as digests
 * (status-digest.ts): fields bindy writes and never reads, such as a DNSZone's status.records.
 */
export function trimDigesting<T extends KubeObject & { status?: object }>(fields: readonly string[]): CacheTransform<T> {
  return (obj) => trimObject(digestFields(obj, fields));
}

/** trimZone is what a DNSZone cache keeps: its status.records list (only ever written) as a digest. */
export const trimZone: CacheTransform<KubeObject & { status?: object }> = trimDigesting(['records']);

/** trimRecord is what a record cache keeps: its status.zoneRef (only ever written) as a digest. */
export const trimRecord: CacheTransform<KubeObject & { status?: object }> = trimDigesting(['zoneRef']);

/**
 * withoutManagedFields keeps every annotation, for objects bindy replaces from its cache
 * (Bind9Clusters and Bind9Instances it made): a PUT without `managedFields` leaves them as they
 * are on the server, but one without an annotation would delete a user's annotation.
 */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  const { managedFields: _dropped, ...metadata } = obj.metadata as KubeObject['metadata'] & { managedFields?: unknown };
  return { ...obj, metadata };
}

/**
 * metadataOnly keeps the trimmed metadata alone, for objects only their ownership is read of
 * (bindy's pods and ReplicaSets: owned-pods.ts follows their ownerReferences).
 */
export function metadataOnly<T extends KubeObject>(obj: T): T {
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: trimMetadata(obj.metadata) } as T;
}

/** pick copies the named fields that are present. */
function pick<T extends object, K extends keyof T>(from: T | undefined, keys: readonly K[]): Pick<T, K> | undefined {
  if (from === undefined) return undefined;
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]])) as Pick<T, K>;
}

/** DeploymentView is what the instance status reads of a Deployment: its replica counts, not its pod template. */
export interface DeploymentView extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number; updatedReplicas?: number; observedGeneration?: number };
}

export function trimDeployment<T extends DeploymentView>(d: T): T {
  return { apiVersion: d.apiVersion, kind: d.kind, metadata: trimMetadata(d.metadata), spec: pick(d.spec, ['replicas']), status: pick(d.status, ['replicas', 'readyReplicas', 'updatedReplicas', 'observedGeneration']) } as T;
}

/** EndpointSliceView is what the pusher reads of a slice: each endpoint's addresses, readiness and pod. */
export interface EndpointSliceView extends KubeObject {
  addressType?: string;
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean; terminating?: boolean }; targetRef?: { name?: string } }>;
}

export function trimEndpointSlice<T extends EndpointSliceView>(s: T): T {
  const endpoints = s.endpoints?.map((e) => ({ addresses: e.addresses, ...(e.conditions ? { conditions: pick(e.conditions, ['ready', 'terminating']) } : {}), ...(e.targetRef ? { targetRef: pick(e.targetRef, ['name']) } : {}) }));
  return { apiVersion: s.apiVersion, kind: s.kind, metadata: trimMetadata(s.metadata), addressType: s.addressType, ...(endpoints ? { endpoints } : {}) } as T;
}
