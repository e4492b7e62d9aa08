import type { KubeClient } from './api-client.js';
import type { KubeObject } from './objects.js';
import { sameAsDigested } from './status-digest.js';

/** Condition is a status condition; stored ones may lack reason, message or time (upstream requires only type and status). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/**
 * setCondition returns `conditions` with `next` in place of the condition of the same type.
 * lastTransitionTime only moves when the status flips, as kubectl wait and alerts expect.
 */
export function setCondition(conditions: readonly Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>, now = new Date()): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const previous = i >= 0 ? list[i] : undefined;
  const merged: Condition = {
    ...next,
    lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime : now.toISOString(),
  };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

/** findCondition returns the condition of a type. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * sameJson says whether two JSON values serialise alike: key order does not matter and a property
 * holding undefined counts as absent, as in JSON. It walks the values instead of serialising them
 * (a new leader compares every zone's status; serialising it with sorted keys cost a third of that pass).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item ?? null, b[i] ?? null));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((k) => left[k] !== undefined);
  return keys.length === Object.keys(right).filter((k) => right[k] !== undefined).length && keys.every((k) => sameJson(left[k], right[k]));
}

/**
 * patchStatus writes `status` through the status subresource as a merge patch guarded by the
 * object's resourceVersion: if anyone changed the object since it was read, the apiserver
 * answers 409 and the caller retries from a fresh read instead of overwriting. Nothing is sent
 * when the status would not change. Returns the updated object (or the input when unchanged).
 */
export async function patchStatus<T extends KubeObject & { status?: object }>(client: KubeClient, path: string, obj: T, status: NonNullable<T['status']>): Promise<T> {
  // Only the fields the patch sets can differ; comparing just those spares serialising the rest.
  // A field the cache keeps as a digest (status-digest.ts) is compared by digest.
  const current = (obj.status ?? {}) as Record<string, unknown>;
  if (Object.entries(status).every(([field, value]) => sameAsDigested(current, field, value) ?? sameJson(value, current[field]))) return obj;
  return client.mergePatch<T>(`${path}/status`, { metadata: { resourceVersion: obj.metadata.resourceVersion }, status });
}

/** setFinalizers replaces the finalizer list, guarded by resourceVersion. */
export function setFinalizers<T extends KubeObject>(client: KubeClient, path: string, obj: T, finalizers: string[]): Promise<T> {
  return client.mergePatch<T>(path, { metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers } });
}
