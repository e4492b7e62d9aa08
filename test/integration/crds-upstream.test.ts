/**
 * Upstream Bindy's API against a real apiserver: for every kind, an object that sets every
 * upstream field (spec and status) is stored and read back unchanged; and objects created under
 * upstream-shaped CRDs keep every field once our CRDs are applied over them, including after the
 * first write the operator makes (adding its finalizer).
 */
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../../src/kube/api-client.js';
import { customResourceDefinitions, KINDS, RESOURCES, type CustomResourceDefinition, type Kind } from '../../src/crds/index.js';
import { adminClient } from '../../testbed/state.js';
import { waitEstablished } from '../../testbed/apply.js';
import { FULL_OBJECTS } from '../support/full-objects.js';
import { BINDY_TS_STATUS_FIELDS, renamed, upstreamShaped } from '../support/upstream-shape.js';

const MANAGER = 'bindy-crds-upstream-test';
const run = randomBytes(3).toString('hex');
const ns = `crds-upstream-${run}`;
let admin: KubeClient;

type Stored = { metadata: { resourceVersion: string; finalizers?: string[] }; spec: unknown; status?: unknown };

function collection(group: string, kind: Kind): string {
  const r = RESOURCES[kind];
  return `/apis/${group}/v1beta1${r.namespaced ? `/namespaces/${ns}` : ''}/${r.plural}`;
}

function objectOf(group: string, kind: Kind, name: string, spec: object) {
  return { apiVersion: `${group}/v1beta1`, kind, metadata: { name, ...(RESOURCES[kind].namespaced ? { namespace: ns } : {}) }, spec };
}

/** createWithStatus creates an object, then writes its status through the status subresource. */
async function createWithStatus(group: string, kind: Kind, name: string, spec: object, status: object): Promise<Stored> {
  const created = await admin.create<Stored>(collection(group, kind), objectOf(group, kind, name, spec));
  return admin.replace<Stored>(`${collection(group, kind)}/${name}/status`, { ...created, status });
}

async function installCrds(crds: CustomResourceDefinition[]): Promise<void> {
  for (const crd of crds) await admin.apply(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, crd, MANAGER, { query: { force: 'true' } });
  for (const crd of crds) await waitEstablished(admin, crd.metadata.name);
}

/** upstreamStatus is a full status without the fields only Bindy-TS writes. */
function upstreamStatus(kind: Kind): object {
  const status = JSON.parse(JSON.stringify(FULL_OBJECTS[kind].status)) as Record<string, unknown> & { conditions?: Array<Record<string, unknown>> };
  for (const f of BINDY_TS_STATUS_FIELDS[kind] ?? []) delete status[f];
  for (const c of status.conditions ?? []) delete c.observedGeneration;
  return status;
}

beforeAll(async () => {
  admin = adminClient();
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
}, 30_000);

afterAll(async () => {
  await admin.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  admin.close();
});

describe('every upstream field round-trips', () => {
  const group = `rt-${run}.bindy.test`;
  beforeAll(async () => installCrds(customResourceDefinitions().map((c) => renamed(c, group))), 60_000);
  afterAll(async () => {
    for (const c of customResourceDefinitions()) await admin.delete(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${renamed(c, group).metadata.name}`).catch(() => undefined);
  });

  it.each([...KINDS])('%s: create, get, compare', async (kind) => {
    const { spec, status } = FULL_OBJECTS[kind];
    const name = `full-${kind.toLowerCase()}-${run}`;
    await createWithStatus(group, kind, name, spec, status);
    const got = await admin.get<Stored>(`${collection(group, kind)}/${name}`);
    expect(got.spec).toEqual(spec);
    expect(got.status).toEqual(status);
    await admin.delete(`${collection(group, kind)}/${name}`);
  });
});

describe('CRD swap: objects stored under upstream-shaped CRDs keep every field under ours', () => {
  const group = `swap-${run}.bindy.test`;
  const ours = customResourceDefinitions().map((c) => renamed(c, group));
  afterAll(async () => {
    for (const c of ours) await admin.delete(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.metadata.name}`).catch(() => undefined);
  });

  it('keeps spec and status of every kind through the swap and the first operator write', async () => {
    await installCrds(customResourceDefinitions().map((c) => upstreamShaped(c, group, FULL_OBJECTS[c.spec.names.kind as Kind])));
    for (const kind of KINDS) await createWithStatus(group, kind, `swap-${run}`, FULL_OBJECTS[kind].spec, upstreamStatus(kind));
    await installCrds(ours);
    for (const kind of KINDS) {
      const path = `${collection(group, kind)}/swap-${run}`;
      const got = await admin.get<Stored>(path);
      expect({ kind, spec: got.spec, status: got.status }).toEqual({ kind, spec: FULL_OBJECTS[kind].spec, status: upstreamStatus(kind) });
      // The operator's first write: a resourceVersion-guarded finalizer patch. Pruning would strike here.
      await admin.mergePatch(path, { metadata: { resourceVersion: got.metadata.resourceVersion, finalizers: ['bindy.firestoned.io/cleanup'] } });
      const after = await admin.get<Stored>(path);
      expect({ kind, spec: after.spec, status: after.status }).toEqual({ kind, spec: FULL_OBJECTS[kind].spec, status: upstreamStatus(kind) });
      await admin.mergePatch(path, { metadata: { finalizers: null } });
      await admin.delete(path);
    }
  }, 120_000);
});
