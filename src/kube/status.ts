import type { KubeClient } from './api-client.js';
import type { KubeObject } from './objects.js';

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

function stable(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/**
 * patchStatus writes `status` through the status subresource as a merge patch guarded by the
 * object's resourceVersion: if anyone changed the object since it was read, the apiserver
 * answers 409 and the caller retries from a fresh read instead of overwriting. Nothing is sent
 * when the status would not change. Returns the updated object (or the input when unchanged).
 */
export async function patchStatus<T extends KubeObject & { status?: object }>(client: KubeClient, path: string, obj: T, status: NonNullable<T['status']>): Promise<T> {
  if (stable({ ...(obj.status ?? {}), ...status }) === stable(obj.status ?? {})) return obj;
  return client.mergePatch<T>(`${path}/status`, { metadata: { resourceVersion: obj.metadata.resourceVersion }, status });
}

/** setFinalizers replaces the finalizer list, guarded by resourceVersion. */
export function setFinalizers<T extends KubeObject>(client: KubeClient, path: string, obj: T, finalizers: string[]): Promise<T> {
  return client.mergePatch<T>(path, { metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers } });
}
