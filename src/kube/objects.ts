import { intern } from './intern.js';

/** KubeObject is the part of every Kubernetes object the generic helpers need. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: OwnerReference[];
  };
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/**
 * objectKey is the work-queue key of an object: "namespace/name" (or "name" when cluster-scoped).
 * Interned (intern.ts): the informer, the indexes and the event wiring each key a map by it, and
 * share one copy per object instead of one each.
 */
export function objectKey(obj: KubeObject): string {
  return intern(obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name);
}

/** splitKey undoes objectKey. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * resourcePath builds a REST path: collection when `name` is absent, all namespaces when
 * `namespace` is absent. "v1" is the core group; anything else is "group/version".
 */
export function resourcePath(apiVersion: string, plural: string, namespace?: string, name?: string): string {
  const base = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

/** ownerReferenceTo makes `owner` the controlling owner, so deleting it garbage-collects the dependent. */
export function ownerReferenceTo(owner: KubeObject & { apiVersion: string; kind: string }): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}
