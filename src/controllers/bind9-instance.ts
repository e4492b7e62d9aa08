import { createHash, randomBytes } from 'node:crypto';
import { API_VERSION, READY, type Bind9Instance, type Bind9InstanceStatus, type DNSZone } from '../crds/types.js';
import { renderRndcKey } from '../dns/named-conf.js';
import { normalizeZoneName } from '../dns/names.js';
import type { KubeClient } from '../kube/api-client.js';
import { isNotFound } from '../kube/api-error.js';
import type { EventRecorder } from '../kube/events.js';
import { ownerReferenceTo, resourcePath, splitKey, type KubeObject } from '../kube/objects.js';
import { findCondition, patchStatus, setCondition, setFinalizers } from '../kube/status.js';
import { INSTANCE_LABEL, instanceNames, isOwnedBy, namedImage, ownedObjects, ownerKey, ownerLabels, OWNER_ANNOTATION, type InstanceSettings } from './bind9-resources.js';
import { ensureAgentCertificate } from './agent-certificates.js';
import type { Caches, Deployment } from './caches.js';
import { imageReferenceProblem } from './image-reference.js';
import { TerminalError, type ReconcileContext, type ReconcileResult } from './controller.js';
import { checkInstanceConfig, rolloutState } from './instance-health.js';
import type { Pusher } from './push.js';
import { removeOrphanSecondaries } from './transfer.js';
import { servesZone } from './selection.js';
import { ZoneClaims } from './zone-claims.js';
import { instanceZonesStatus } from './instance-zones.js';
import { unsupportedInstanceFields, unsupportedMessage } from './unsupported.js';

/** FINALIZER guards cleanup the garbage collector cannot do (cross-namespace objects, zones in BIND). */
export const FINALIZER = 'bindy.firestoned.io/cleanup';
const DESIRED_HASH = 'bindy.firestoned.io/desired-hash';

export interface InstanceReconcilerDeps {
  readonly client: KubeClient;
  readonly caches: Caches;
  readonly events: EventRecorder;
  readonly settings: InstanceSettings;
  readonly pusher: Pusher;
  readonly resyncMs: number;
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * reconcileInstance makes an instance's objects match it: (1) cleanup on deletion, (2) the
 * finalizer, (3) generated Secrets (created once, never logged or overwritten) and the agent's
 * certificate (agent-certificates.ts), (4) the other
 * owned objects (replaced, resourceVersion-guarded, only when their description changed),
 * (5) zones its pods serve that no DNSZone wants any more are removed, (6) status.
 */
export async function reconcileInstance(deps: InstanceReconcilerDeps, key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
  let instance = deps.caches.instances.get(key);
  if (!instance) return;
  const path = resourcePath(API_VERSION, 'bind9instances', instance.metadata.namespace, instance.metadata.name);
  if (instance.metadata.deletionTimestamp) return finalize(deps, instance, path);
  if (!instance.metadata.finalizers?.includes(FINALIZER)) {
    instance = await setFinalizers(deps.client, path, instance, [...(instance.metadata.finalizers ?? []), FINALIZER]);
  }
  // The image is spec.image.image, or upstream's default tagged by spec.version.
  const imageProblem = imageReferenceProblem(namedImage(instance), instance.spec.image?.image ? 'spec.image.image' : 'spec.version');
  // No pod spec is written with an image the runtime might read differently; only an edit fixes it.
  if (imageProblem) return void (await setReady(deps, instance, path, { ok: false, reason: 'InvalidImage', message: imageProblem }));
  await ensureSecrets(deps.client, deps.caches, instance);
  const config = await checkInstanceConfig(instance);
  if (!config.ok) {
    // Nothing is written: the pods keep serving with the last config named accepted.
    await setReady(deps, instance, path, { ok: false, reason: config.reason, message: config.message });
    return;
  }
  const agentTls = await ensureAgentCertificate(deps.client, deps.caches, instance, deps.pusher.ca);
  for (const { plural, apiVersion, object } of ownedObjects(instance, deps.settings, agentTls)) {
    await ensureObject(deps.client, plural, apiVersion, object, instance);
  }
  await removeOrphanZones(deps, instance, ctx);
  await updateStatus(deps, instance, path);
  return { requeueAfterMs: deps.resyncMs };
}

async function finalize(deps: InstanceReconcilerDeps, instance: Bind9Instance, path: string): Promise<void> {
  if (!instance.metadata.finalizers?.includes(FINALIZER)) return;
  // The lease reader lives in the lease namespace, out of reach of owner references.
  const names = instanceNames(instance);
  for (const plural of ['rolebindings', 'roles']) {
    await deleteIfOurs(deps.client, resourcePath('rbac.authorization.k8s.io/v1', plural, deps.settings.leaseNamespace, names.leaseReader), instance);
  }
  await setFinalizers(deps.client, path, instance, (instance.metadata.finalizers ?? []).filter((f) => f !== FINALIZER));
}

/** deleteIfOurs deletes an object made for this instance, with a resourceVersion precondition (no blind delete). */
async function deleteIfOurs(client: KubeClient, path: string, instance: Bind9Instance): Promise<void> {
  let current: KubeObject;
  try {
    current = await client.get<KubeObject>(path);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  // Another instance's object under this name (a collision, or a hand-made copy) is never ours to delete.
  if (!isOwnedBy(current, instance)) return;
  const preconditions = { uid: current.metadata.uid, resourceVersion: current.metadata.resourceVersion };
  await client.delete(path, { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions } }).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
}

async function ensureSecrets(client: KubeClient, caches: Caches, instance: Bind9Instance): Promise<void> {
  const names = instanceNames(instance);
  const secrets = [
    { name: names.rndcSecret, data: { 'rndc.key': renderRndcKey(randomBytes(32).toString('base64')) } },
    { name: names.agentSecret, data: { token: randomBytes(32).toString('hex') } },
  ];
  for (const s of secrets) {
    if (caches.secrets.get(`${instance.metadata.namespace}/${s.name}`)) continue;
    const path = resourcePath('v1', 'secrets', instance.metadata.namespace, s.name);
    try {
      await client.get(path);
      continue;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: s.name, namespace: instance.metadata.namespace, labels: ownerLabels(instance), annotations: { [OWNER_ANNOTATION]: ownerKey(instance) }, ownerReferences: [ownerReferenceTo(instance as never)] },
      stringData: s.data,
    };
    // A 409 AlreadyExists means another pass created it first: keep theirs.
    await client.create(resourcePath('v1', 'secrets', instance.metadata.namespace), body).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    });
  }
}

/**
 * ensureObject creates or CAS-replaces one object made for `instance`; it refuses to take over an
 * object bindy did not make, or one bindy made for another instance (its owner annotation says so).
 */
export async function ensureObject(client: KubeClient, plural: string, apiVersion: string, desired: KubeObject & Record<string, unknown>, instance: Bind9Instance): Promise<void> {
  const { name, namespace } = desired.metadata;
  const path = resourcePath(apiVersion, plural, namespace, name);
  const hash = hashOf(desired);
  const body = { ...desired, metadata: { ...desired.metadata, annotations: { ...desired.metadata.annotations, [DESIRED_HASH]: hash } } };
  let current: KubeObject;
  try {
    current = await client.get<KubeObject>(path);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await client.create(resourcePath(apiVersion, plural, namespace), body);
    return;
  }
  if (current.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'bindy') {
    throw new TerminalError(`${String(desired.kind)} ${namespace}/${name} already exists and is not managed by bindy; delete or rename it`);
  }
  if (!isOwnedBy(current, instance)) {
    const owner = current.metadata.annotations?.[OWNER_ANNOTATION] ?? `${String(current.metadata.namespace)}/${String(current.metadata.labels?.[INSTANCE_LABEL])}`;
    throw new TerminalError(`${String(desired.kind)} ${namespace}/${name} belongs to Bind9Instance ${owner}, not ${ownerKey(instance)}; left untouched`);
  }
  if (current.metadata.annotations?.[DESIRED_HASH] === hash) return;
  await client.replace(path, { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } });
}

/** removeOrphanZones deletes from the instance's pods the zones (primary or secondary) no live DNSZone with a granted claim assigns to it. */
async function removeOrphanZones(deps: InstanceReconcilerDeps, instance: Bind9Instance, ctx: ReconcileContext): Promise<void> {
  const claims = new ZoneClaims(deps.caches);
  const wanted = new Set(
    deps.caches.zones
      .list()
      .filter((z: DNSZone) => !z.metadata.deletionTimestamp && servesZone(deps.caches, z, instance) && !claims.refused(z))
      .map((z: DNSZone) => normalizeZoneName(z.spec.zoneName)),
  );
  for (const agent of await deps.pusher.agents(instance)) {
    const current = await deps.pusher.lists.list(agent).catch(() => undefined);
    if (!current) continue;
    const orphans = current.filter((z) => !wanted.has(z.name)).map((z) => z.name);
    if (orphans.length > 0) await deps.pusher.apply(agent, { create: [], update: [], delete: orphans }, ctx.log);
    // A secondary zone is wanted only while the instance is a secondary: a primary holds the zone itself.
    await removeOrphanSecondaries(deps.pusher, agent, instance.spec.role === 'secondary' ? wanted : new Set(), ctx.log);
  }
}

/** clusterOf is upstream's status.clusterRef: the Bind9Cluster (same namespace) or ClusterBind9Provider the instance names. */
function clusterOf(caches: Caches, instance: Bind9Instance): Bind9InstanceStatus['clusterRef'] {
  const ref = instance.spec.clusterRef;
  const ns = instance.metadata.namespace ?? '';
  if (caches.clusters.get(`${ns}/${ref}`)) return { apiVersion: API_VERSION, kind: 'Bind9Cluster', name: ref, namespace: ns };
  if (caches.providers.get(ref)) return { apiVersion: API_VERSION, kind: 'ClusterBind9Provider', name: ref };
  return undefined;
}

/** instanceState is Unsupported for fields Bindy-TS cannot honour, else the rollout's own verdict. */
async function instanceState(deps: InstanceReconcilerDeps, instance: Bind9Instance, deployment: Deployment | undefined) {
  const unsupported = unsupportedInstanceFields(instance);
  if (unsupported.length > 0) return { ok: false, reason: 'Unsupported', message: unsupportedMessage(unsupported) };
  return rolloutState(deps.client, instance, deployment);
}

async function updateStatus(deps: InstanceReconcilerDeps, instance: Bind9Instance, path: string): Promise<void> {
  const { namespace } = splitKey(`${instance.metadata.namespace}/${instance.metadata.name}`);
  const deployment = deps.caches.deployments.get(`${namespace}/${instanceNames(instance).deployment}`);
  const cluster = clusterOf(deps.caches, instance);
  await setReady(deps, instance, path, await instanceState(deps, instance, deployment), {
    ...instanceZonesStatus(deps.caches, instance),
    ...(cluster ? { clusterRef: cluster } : {}),
    replicas: deployment?.status?.replicas ?? 0,
    readyReplicas: deployment?.status?.readyReplicas ?? 0,
  });
}

async function setReady(deps: InstanceReconcilerDeps, instance: Bind9Instance, path: string, v: { ok: boolean; reason: string; message: string }, extra: Record<string, unknown> = {}): Promise<void> {
  const condition = { type: READY, status: v.ok ? ('True' as const) : ('False' as const), reason: v.reason, message: v.message, observedGeneration: instance.metadata.generation };
  const before = findCondition(instance.status?.conditions, READY);
  await patchStatus(deps.client, path, instance, { conditions: setCondition(instance.status?.conditions, condition), observedGeneration: instance.metadata.generation, ...extra });
  if (before?.reason !== condition.reason) deps.events.record(instance, v.ok ? 'Normal' : 'Warning', condition.reason, condition.message);
}
