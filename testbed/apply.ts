/**
 * apply.ts server-side-applies manifests (e.g. dist/<profile>/*.yaml) the way `kubectl apply
 * --server-side` does: each object's URL comes from the apiserver's discovery, so any kind the
 * server knows works, CRDs included once they are established.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../src/kube/api-client.js';

/** Manifest is the part of an object that apply needs. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

interface ApiResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/** readManifests parses a multi-document YAML file. */
export function readManifests(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJSON() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

/** objectUrl finds the URL of one object through discovery of its group/version. */
async function objectUrl(client: KubeClient, m: Manifest, cache: Map<string, ApiResourceList>): Promise<string> {
  const base = m.apiVersion.includes('/') ? `/apis/${m.apiVersion}` : `/api/${m.apiVersion}`;
  let list = cache.get(base);
  if (!list) {
    list = await client.get<ApiResourceList>(base);
    cache.set(base, list);
  }
  const resource = list.resources.find((r) => r.kind === m.kind && !r.name.includes('/'));
  if (!resource) throw new Error(`the apiserver does not serve ${m.kind} in ${m.apiVersion}`);
  const ns = resource.namespaced ? `/namespaces/${m.metadata.namespace ?? 'default'}` : '';
  return `${base}${ns}/${resource.name}/${m.metadata.name}`;
}

/** applyManifests applies each object in order with the given field manager. */
export async function applyManifests(client: KubeClient, manifests: readonly Manifest[], fieldManager: string): Promise<void> {
  const cache = new Map<string, ApiResourceList>();
  for (const m of manifests) await client.apply(await objectUrl(client, m, cache), m, fieldManager);
}

/** waitEstablished waits until a CustomResourceDefinition is served (condition Established=True). */
export async function waitEstablished(client: KubeClient, name: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await client.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} not established after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
