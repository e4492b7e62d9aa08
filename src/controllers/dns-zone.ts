import { API_VERSION, READY, type Bind9Instance, type DNSZone } from '../crds/types.js';
import { recordSource, zoneOwner, type BuiltZone } from '../dns/build.js';
import { normalizeZoneName } from '../dns/names.js';
import { nextSerial, renderZone } from '../dns/zone.js';
import type { KubeClient } from '../kube/api-client.js';
import type { EventRecorder } from '../kube/events.js';
import { resourcePath } from '../kube/objects.js';
import { findCondition, patchStatus, setCondition, setFinalizers } from '../kube/status.js';
import type { AgentClient } from '../agent/client.js';
import { FINALIZER } from './bind9-instance.js';
import type { Caches } from './caches.js';
import type { ReconcileContext, ReconcileResult } from './controller.js';
import type { PodResult, Pusher } from './push.js';
import { zoneInstances } from './selection.js';
import { unsupportedZoneField } from './unsupported.js';

export interface ZoneReconcilerDeps {
  readonly client: KubeClient;
  readonly caches: Caches;
  readonly events: EventRecorder;
  readonly pusher: Pusher;
  readonly resyncMs: number;
}

interface Verdict {
  readonly ready: boolean;
  readonly reason: string;
  readonly message: string;
}

async function agentsOf(deps: ZoneReconcilerDeps, instances: readonly Bind9Instance[]): Promise<AgentClient[]> {
  return (await Promise.all(instances.map((i) => deps.pusher.agents(i)))).flat();
}

/** claimants are all DNSZones (any namespace) with the same zoneName; BIND can serve a name only once. */
function claimants(caches: Caches, zone: DNSZone): DNSZone[] {
  return caches.zoneIndex.named(zone.spec.zoneName);
}

/**
 * reconcileZone makes the zone's pods serve what its resources describe:
 * (1) on deletion, remove the zone from every pod, then the finalizer; (2) add the finalizer;
 * (3) refuse a zoneName another, older DNSZone serves; (4) validate and render (invalid records
 * are left out, the rest is served); (5) when the content changed, persist the next serial and
 * content hash in status BEFORE pushing, so a failover can never reuse or lower a serial;
 * (6) push to every ready pod whose reported serial differs; (7) report.
 */
export async function reconcileZone(deps: ZoneReconcilerDeps, key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
  let zone = deps.caches.zones.get(key);
  if (!zone) return;
  const path = resourcePath(API_VERSION, 'dnszones', zone.metadata.namespace, zone.metadata.name);
  const zoneName = normalizeZoneName(zone.spec.zoneName);
  const instances = zoneInstances(deps.caches, zone);
  if (zone.metadata.deletionTimestamp) return finalize(deps, zone, path, instances, ctx);
  if (!zone.metadata.finalizers?.includes(FINALIZER)) zone = await setFinalizers(deps.client, path, zone, [...(zone.metadata.finalizers ?? []), FINALIZER]);
  const owner = zoneOwner(claimants(deps.caches, zone));
  if (owner && owner.metadata.uid !== zone.metadata.uid) {
    const by = `${owner.metadata.namespace}/${owner.metadata.name}`;
    return report(deps, zone, path, { ready: false, reason: 'DuplicateZone', message: `zone ${zoneName} is already served by DNSZone ${by}, created earlier; change zoneName or delete one of them` });
  }
  const unsupported = unsupportedZoneField(zone);
  if (unsupported) return report(deps, zone, path, { ready: false, reason: 'Unsupported', message: unsupported });
  const { built, hash } = deps.caches.zoneBuilds.of(zone);
  if (!built.zoneVerdict.ok) return report(deps, zone, path, { ready: false, reason: built.zoneVerdict.reason, message: built.zoneVerdict.message });
  if (instances.length === 0) return report(deps, zone, path, noInstances(zone), recordsStatus(zone, built));
  const primaries = instances.filter((i) => i.spec.role !== 'secondary');
  const members = { bind9InstancesCount: instances.length, bind9Instances: instances.filter((i) => i.spec.role === 'secondary').map((i) => instanceRef(i, 'Failed', SECONDARY_NOTE)) };
  if (primaries.length === 0) return report(deps, zone, path, { ready: false, reason: 'NoPrimaries', message: `the zone's instances are all secondaries, which Bindy-TS cannot fill yet (${SECONDARY_NOTE}); select a primary Bind9Instance` }, { ...recordsStatus(zone, built), ...members });
  const agents = await agentsOf(deps, primaries);
  if (zone.status?.contentHash !== hash || zone.status?.serial === undefined) {
    const serial = nextSerial(zone.status?.serial, await deps.pusher.reportedSerials(agents, zoneName), zone.spec.soaRecord?.serial ?? 0);
    zone = await patchStatus(deps.client, path, zone, { serial, contentHash: hash });
  }
  const serial = zone.status?.serial ?? 0;
  const results = await deps.pusher.syncZone(agents, zoneName, { name: zoneName, serial, text: renderZone(built.data, serial) }, ctx.log);
  const invalid = [...built.verdicts].filter(([, v]) => !v.ok).map(([source, v]) => `${source} (${v.ok ? '' : v.reason})`);
  const glueNote = built.skippedGlue.length > 0 ? `; ${built.skippedGlue.join(', ')} left out: outside the zone, so not glue` : '';
  const verdict = summarize(results, serial, invalid, glueNote);
  // Configured only once the pods confirmed serving the serial (upstream's Claimed until then).
  const pushed = verdict.reason === 'PushFailed' ? 'Failed' : verdict.ready ? 'Configured' : 'Claimed';
  await report(deps, zone, path, verdict, {
    ...recordsStatus(zone, built),
    ...members,
    bind9Instances: [...primaries.map((i) => instanceRef(i, pushed)), ...members.bind9Instances],
    pods: results.map((r) => ({ pod: r.pod, ...(r.serial === undefined ? {} : { servedSerial: r.serial }), ...(r.error === undefined ? {} : { error: r.error.slice(0, 500) }) })),
    ...(verdict.ready ? { syncedSerial: serial } : {}),
  });
  // A push a pod refused is retried with the controller's backoff (and counted as an error), not at the next resync.
  if (verdict.reason === 'PushFailed') throw new Error(`zone ${zoneName}: ${verdict.message}`);
  return { requeueAfterMs: deps.resyncMs };
}

/** noInstances says which selection found nothing, and what to change. */
function noInstances(zone: DNSZone): Verdict {
  const ref = zone.spec.clusterRef;
  const how = [
    ref ? `no Bind9Instance has spec.clusterRef "${ref}" (in namespace ${zone.metadata.namespace}, or anywhere for a ClusterBind9Provider of that name)` : '',
    zone.spec.bind9InstancesFrom?.length ? `no Bind9Instance in namespace ${zone.metadata.namespace} matches bind9InstancesFrom` : '',
  ].filter((x) => x !== '');
  const message = how.length > 0 ? `${how.join('; ')}; fix the reference or the selectors, or create the instances` : 'set spec.clusterRef or spec.bind9InstancesFrom to choose the Bind9Instances that serve this zone';
  return { ready: false, reason: 'NoInstances', message };
}

const SECONDARY_NOTE = 'secondaries get zones by zone transfer, not implemented by Bindy-TS yet';

function instanceRef(i: Bind9Instance, status: 'Claimed' | 'Configured' | 'Failed', message?: string) {
  return { apiVersion: API_VERSION, kind: 'Bind9Instance', name: i.metadata.name, namespace: i.metadata.namespace ?? '', status, ...(message ? { message } : {}) };
}

/** recordsStatus lists the records the zone serves (upstream's records / recordsCount). */
function recordsStatus(zone: DNSZone, built: BuiltZone) {
  // Sorted: the informer's event order differs between replicas, and a new leader must not rewrite
  // every zone's status only because it saw the records arrive in another order.
  const served = built.records.filter((r) => built.verdicts.get(recordSource(r))?.ok).sort((a, b) => recordSource(a).localeCompare(recordSource(b)));
  return {
    recordsCount: served.length,
    records: served.map((r) => ({ apiVersion: API_VERSION, kind: r.kind, name: r.metadata.name, namespace: zone.metadata.namespace ?? '', recordName: r.spec.name })),
  };
}

/** summarize is Synced only when every target pod confirmed serving the desired serial. */
function summarize(results: readonly PodResult[], serial: number, invalid: readonly string[], glueNote: string): Verdict {
  const failed = results.filter((r) => r.error !== undefined);
  const behind = results.filter((r) => r.error === undefined && r.serial !== serial);
  // Which records were refused, by name (the first few: one bad record among 10,000 must be findable).
  const named = invalid.length > 0 ? `: ${invalid.slice(0, 3).join(', ')}${invalid.length > 3 ? ', …' : ''}` : '';
  const note = `${invalid.length > 0 ? `; ${invalid.length} invalid record(s) left out${named}, see their status` : ''}${glueNote}`;
  if (failed.length > 0) return { ready: false, reason: 'PushFailed', message: failed.map((f) => `${f.pod} serves ${served(f.serial)}: ${f.error}`).join('; ').slice(0, 900) };
  if (results.length === 0) return { ready: false, reason: 'NoReadyPods', message: `serial ${serial} waits for a ready named pod${note}` };
  if (behind.length > 0) return { ready: false, reason: 'NotServed', message: `serial ${serial} is not served yet: ${behind.map((b) => `${b.pod} serves ${served(b.serial)}`).join('; ')}`.slice(0, 900) };
  return { ready: true, reason: 'Synced', message: `serial ${serial} served by ${results.length} pod(s)${note}` };
}

function served(serial: number | undefined): string {
  return serial === undefined ? 'no serial' : `serial ${serial}`;
}

async function finalize(deps: ZoneReconcilerDeps, zone: DNSZone, path: string, instances: Bind9Instance[], ctx: ReconcileContext): Promise<void> {
  if (!zone.metadata.finalizers?.includes(FINALIZER)) return;
  // Only the serving DNSZone may take the zone out of BIND; a losing duplicate never put it there.
  const all = claimants(deps.caches, zone).map((z) => ({ ...z, metadata: { ...z.metadata, deletionTimestamp: undefined } }));
  if (zoneOwner(all)?.metadata.uid === zone.metadata.uid) {
    const results = await deps.pusher.syncZone(await agentsOf(deps, instances), normalizeZoneName(zone.spec.zoneName), undefined, ctx.log);
    const failed = results.find((r) => r.error !== undefined);
    if (failed) throw new Error(`removing zone from ${failed.pod}: ${failed.error}`);
  }
  await setFinalizers(deps.client, path, zone, (zone.metadata.finalizers ?? []).filter((f) => f !== FINALIZER));
}

async function report(deps: ZoneReconcilerDeps, zone: DNSZone, path: string, v: Verdict, extra: Record<string, unknown> = {}): Promise<void> {
  const condition = { type: READY, status: v.ready ? ('True' as const) : ('False' as const), reason: v.reason, message: v.message, observedGeneration: zone.metadata.generation };
  const before = findCondition(zone.status?.conditions, READY);
  await patchStatus(deps.client, path, zone, { conditions: setCondition(zone.status?.conditions, condition), observedGeneration: zone.metadata.generation, ...extra });
  if (before?.reason !== v.reason) deps.events.record(zone, v.ready ? 'Normal' : 'Warning', v.reason, v.message);
}
