import { API_VERSION, READY, type Bind9Instance, type DNSZone } from '../crds/types.js';
import { zonePolicyProblem } from '../dns/dnssec-policy.js';
import { recordSourceParts } from '../dns/build.js';
import { normalizeZoneName } from '../dns/names.js';
import { nextSerial, withSerial } from '../dns/zone.js';
import type { KubeClient } from '../kube/api-client.js';
import type { EventRecorder } from '../kube/events.js';
import { resourcePath } from '../kube/objects.js';
import { findCondition, patchStatus, setCondition, setFinalizers } from '../kube/status.js';
import type { AgentClient } from '../agent/client.js';
import { FINALIZER } from './bind9-instance.js';
import type { Caches } from './caches.js';
import type { ReconcileContext, ReconcileResult } from './controller.js';
import type { PodResult, Pusher } from './push.js';
import { dnssecStatus } from './dnssec-status.js';
import { zoneInstances } from './selection.js';
import type { ServedZones } from './served-zones.js';
import { instanceAgents, removeSecondaryZone, syncPrimaryOptions, syncSecondaries } from './transfer.js';
import type { ZoneBuild } from './zone-builds.js';
import { ZoneClaims } from './zone-claims.js';

export interface ZoneReconcilerDeps {
  readonly client: KubeClient;
  readonly caches: Caches;
  readonly events: EventRecorder;
  readonly pusher: Pusher;
  readonly resyncMs: number;
  /** The term's record of zones found served; their resync is its periodic check (served-zones.ts). */
  readonly served: ServedZones;
}

interface Verdict {
  readonly ready: boolean;
  readonly reason: string;
  readonly message: string;
  /** A passing state (a transfer under way) that is not worth an Event. */
  readonly quiet?: boolean;
}

async function agentsOf(deps: ZoneReconcilerDeps, instances: readonly Bind9Instance[]): Promise<AgentClient[]> {
  return (await Promise.all(instances.map((i) => deps.pusher.agents(i)))).flat();
}

/**
 * reconcileZone makes the zone's pods serve what its resources describe:
 * (1) on deletion, remove the zone from every pod, then the finalizer; (2) add the finalizer;
 * (3) refuse a claim zone-claims.ts denies (the name is another's on a shared instance, or the
 * provider's policy keeps this namespace off it); (4) validate and render (invalid records
 * are left out, the rest is served); (5) when the content changed, persist the next serial and
 * content hash in status BEFORE pushing, so a failover can never reuse or lower a serial;
 * (6) give the primaries the zone's options (NOTIFY/transfer for the secondaries, signing), then
 * push the data to every ready primary pod whose reported serial differs; (7) tell the
 * secondaries their primaries (they transfer the data themselves) and read what they serve;
 * (8) report; a zone every pod serves (Synced) is then re-checked by the term's ServedZones, any
 * other comes back at the resync.
 */
export async function reconcileZone(deps: ZoneReconcilerDeps, key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
  deps.served.unconfirm(key);
  let zone = deps.caches.zones.get(key);
  if (!zone) return;
  const path = resourcePath(API_VERSION, 'dnszones', zone.metadata.namespace, zone.metadata.name);
  const zoneName = normalizeZoneName(zone.spec.zoneName);
  const instances = zoneInstances(deps.caches, zone);
  if (zone.metadata.deletionTimestamp) return finalize(deps, zone, path, instances, ctx);
  if (!zone.metadata.finalizers?.includes(FINALIZER)) zone = await setFinalizers(deps.client, path, zone, [...(zone.metadata.finalizers ?? []), FINALIZER]);
  const claim = new ZoneClaims(deps.caches).verdict(zone);
  if (!claim.granted && claim.reason !== 'NoInstances') {
    await report(deps, zone, path, { ready: false, reason: claim.reason, message: claim.message });
    // The owner may go away or change its selection without this zone hearing of it.
    return { requeueAfterMs: deps.resyncMs };
  }
  const build = deps.caches.zoneBuilds.of(zone);
  const { zoneVerdict, hash } = build;
  if (!zoneVerdict.ok) return void (await report(deps, zone, path, { ready: false, reason: zoneVerdict.reason, message: zoneVerdict.message }));
  if (instances.length === 0) return void (await report(deps, zone, path, noInstances(zone), recordsStatus(zone, build)));
  const primaries = instances.filter((i) => i.spec.role !== 'secondary');
  const secondaries = instances.filter((i) => i.spec.role === 'secondary');
  if (primaries.length === 0) return void (await report(deps, zone, path, noPrimaries(secondaries), { ...recordsStatus(zone, build), bind9InstancesCount: instances.length, bind9Instances: secondaries.map((i) => instanceRef(i, 'Failed', NO_PRIMARY_NOTE)) }));
  const policyProblem = zonePolicyProblem(zone.spec.dnssecPolicy, primaries);
  if (policyProblem) return void (await report(deps, zone, path, { ready: false, reason: 'UnknownDnssecPolicy', message: policyProblem }, recordsStatus(zone, build)));
  // Read before the first wait, while the caches still hold the records the build was made of (textOf).
  const text = deps.caches.zoneBuilds.textOf(zone, build);
  const transfer = { zoneName, primaries: await instanceAgents(deps.pusher, primaries), secondaries: await instanceAgents(deps.pusher, secondaries), ...signing(zone) };
  const agents = transfer.primaries.flatMap((p) => p.agents);
  const optionErrors = await syncPrimaryOptions(deps.pusher, transfer, ctx.log);
  if (zone.status?.contentHash !== hash || zone.status?.serial === undefined) {
    const serial = nextSerial(zone.status?.serial, await deps.pusher.reportedSerials(agents, zoneName), zone.spec.soaRecord?.serial ?? 0);
    zone = await patchStatus(deps.client, path, zone, { serial, contentHash: hash });
  }
  const serial = zone.status?.serial ?? 0;
  const desired = { name: zoneName, serial, text: withSerial(text, serial) };
  const pushed = await deps.pusher.syncZone(agents, zoneName, desired, ctx.log);
  const followers = await syncSecondaries(deps.pusher, { ...transfer, serial }, ctx.log);
  const results = [...pushed.map((r) => (r.error === undefined && optionErrors.has(r.pod) ? { ...r, error: optionErrors.get(r.pod) } : r)), ...followers.flatMap((f) => f.results)];
  const invalid = [...build.refused].map(([source, v]) => `${source} (${v.reason})`);
  const glueNote = build.skippedGlue.length > 0 ? `; ${build.skippedGlue.join(', ')} left out: outside the zone, so not glue` : '';
  const verdict = summarize(results, serial, invalid, glueNote);
  const reported = await report(deps, zone, path, verdict, {
    ...recordsStatus(zone, build),
    bind9InstancesCount: instances.length,
    bind9Instances: [
      ...transfer.primaries.map(({ instance, agents: pods }) => instanceRef(instance, instanceState(results.filter((r) => !r.secondary && pods.some((a) => a.address === r.pod)), serial))),
      ...secondaries.map((i) => instanceRef(i, instanceState(followers.find((f) => f.instance === i)?.results ?? [], serial))),
    ],
    pods: results.map((r) => ({ pod: r.pod, ...(r.serial === undefined ? {} : { servedSerial: r.serial }), ...(r.error === undefined ? {} : { error: r.error.slice(0, 500) }) })),
    ...(verdict.ready ? { syncedSerial: serial } : {}),
    // upstream's status.dnssec: signed once every pod serves the zone (named signs it inline on the primaries), with the DS records for the parent.
    ...(transfer.dnssecPolicy ? { dnssec: await dnssecStatus(agents, zoneName, verdict.ready, ctx.log) } : {}),
  });
  // A push a pod refused is retried with the controller's backoff (and counted as an error), not at the next resync.
  if (verdict.reason === 'PushFailed') throw new Error(`zone ${zoneName}: ${verdict.message}`);
  if (verdict.ready) deps.caches.zoneBuilds.settle(zone, build);
  // Served everywhere: the periodic check of every pod's inventory stands in for this zone's resync
  // (a signed zone's DS records and signing state are read by its own reconcile, so it keeps one).
  if (verdict.ready && !transfer.dnssecPolicy) return void deps.served.confirm(reported, zoneName, serial, [...transfer.primaries, ...transfer.secondaries]);
  // A transfer takes a moment after the primaries' NOTIFY: look again soon rather than at the next resync.
  return { requeueAfterMs: verdict.reason === 'TransferPending' ? Math.min(deps.resyncMs, 1_000) : deps.resyncMs };
}

/** signing is the dnssec-policy the zone's primaries sign it with (none when absent or "none"). */
function signing(zone: DNSZone): { dnssecPolicy?: string } {
  const policy = zone.spec.dnssecPolicy;
  return policy && policy !== 'none' ? { dnssecPolicy: policy } : {};
}

/** noPrimaries: secondaries transfer the zone from a primary, so without one nothing is pushed anywhere. */
function noPrimaries(secondaries: readonly Bind9Instance[]): Verdict {
  const names = secondaries.map((i) => `${i.metadata.namespace}/${i.metadata.name}`).join(', ');
  return { ready: false, reason: 'NoPrimaries', message: `the zone's instances (${names}) are all secondaries, which ${NO_PRIMARY_NOTE}; select a Bind9Instance with role primary too (clusterRef to a cluster with spec.primary, or bind9InstancesFrom)` };
}

const NO_PRIMARY_NOTE = 'only get a zone by zone transfer from a primary instance serving it';

/** instanceState is upstream's per-instance status: Configured once all its pods serve the serial (Claimed until then), Failed after a refused write. */
function instanceState(results: readonly PodResult[], serial: number): 'Claimed' | 'Configured' | 'Failed' {
  if (results.some((r) => r.error !== undefined)) return 'Failed';
  return results.length > 0 && results.every((r) => current(r, serial)) ? 'Configured' : 'Claimed';
}

/** current: a primary serves exactly the serial; a secondary at least it (a signed zone's serial is higher). */
function current(r: PodResult, serial: number): boolean {
  return r.serial !== undefined && (r.secondary ? r.serial >= serial : r.serial === serial);
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

function instanceRef(i: Bind9Instance, status: 'Claimed' | 'Configured' | 'Failed', message?: string) {
  return { apiVersion: API_VERSION, kind: 'Bind9Instance', name: i.metadata.name, namespace: i.metadata.namespace ?? '', status, ...(message ? { message } : {}) };
}

/**
 * STATUS_RECORDS_LIMIT caps status.records: etcd refuses an object over 1.5 MiB, and the full list
 * of a 10,000-record zone is ≈ 1.2 MB, written again at every change of the zone. recordsCount
 * stays the full count; each record's own status says whether it is served.
 */
export const STATUS_RECORDS_LIMIT = 1_000;

/** recordsStatus lists the records the zone serves (upstream's records / recordsCount), the first STATUS_RECORDS_LIMIT by kind, namespace and name. */
function recordsStatus(zone: DNSZone, { served, servedNames }: ZoneBuild) {
  // Sorted (ZoneBuild.served): the informer's event order differs between replicas, and a new
  // leader must not rewrite every zone's status only because it saw the records arrive in another order.
  return {
    recordsCount: served.length,
    records: served.slice(0, STATUS_RECORDS_LIMIT).map((source, i) => {
      const { kind, name } = recordSourceParts(source);
      return { apiVersion: API_VERSION, kind, name, namespace: zone.metadata.namespace ?? '', recordName: servedNames[i] };
    }),
  };
}

/**
 * summarize is Synced only when every target pod confirmed serving the desired serial (a
 * secondary: at least it). TransferPending means every primary serves it and only
 * secondaries are still to transfer it.
 */
function summarize(results: readonly PodResult[], serial: number, invalid: readonly string[], glueNote: string): Verdict {
  const failed = results.filter((r) => r.error !== undefined);
  const behind = results.filter((r) => r.error === undefined && !current(r, serial));
  // Which records were refused, by name (the first few: one bad record among 10,000 must be findable).
  const named = invalid.length > 0 ? `: ${invalid.slice(0, 3).join(', ')}${invalid.length > 3 ? ', …' : ''}` : '';
  const note = `${invalid.length > 0 ? `; ${invalid.length} invalid record(s) left out${named}, see their status` : ''}${glueNote}`;
  const pods = (list: readonly PodResult[]) => list.map((b) => `${b.secondary ? 'secondary ' : ''}${b.pod} serves ${served(b.serial)}`).join('; ');
  if (failed.length > 0) return { ready: false, reason: 'PushFailed', message: failed.map((f) => `${f.secondary ? 'secondary ' : ''}${f.pod} serves ${served(f.serial)}: ${f.error}`).join('; ').slice(0, 900) };
  if (results.length === 0) return { ready: false, reason: 'NoReadyPods', message: `serial ${serial} waits for a ready named pod${note}` };
  if (behind.some((b) => !b.secondary)) return { ready: false, reason: 'NotServed', message: `serial ${serial} is not served yet: ${pods(behind)}`.slice(0, 900) };
  if (behind.length > 0) return { ready: false, reason: 'TransferPending', message: `serial ${serial} is served by the primaries; waiting for zone transfer to ${pods(behind)}`.slice(0, 900), quiet: true };
  const secondaryCount = results.filter((r) => r.secondary).length;
  return { ready: true, reason: 'Synced', message: `serial ${serial} served by ${results.length} pod(s)${secondaryCount > 0 ? ` (${secondaryCount} by zone transfer)` : ''}${note}` };
}

function served(serial: number | undefined): string {
  return serial === undefined ? 'no serial' : `serial ${serial}`;
}

async function finalize(deps: ZoneReconcilerDeps, zone: DNSZone, path: string, instances: Bind9Instance[], ctx: ReconcileContext): Promise<void> {
  if (!zone.metadata.finalizers?.includes(FINALIZER)) return;
  // Only a granted claim may take the zone out of BIND; a refused one never put it there.
  if (new ZoneClaims(deps.caches).verdict(zone).granted) {
    const zoneName = normalizeZoneName(zone.spec.zoneName);
    const results = await deps.pusher.syncZone(await agentsOf(deps, instances), zoneName, undefined, ctx.log);
    const failed = results.find((r) => r.error !== undefined);
    if (failed) throw new Error(`removing zone from ${failed.pod}: ${failed.error}`);
    const secondaryFailure = await removeSecondaryZone(deps.pusher, await agentsOf(deps, instances.filter((i) => i.spec.role === 'secondary')), zoneName, ctx.log);
    if (secondaryFailure) throw new Error(`removing secondary zone: ${secondaryFailure}`);
  }
  await setFinalizers(deps.client, path, zone, (zone.metadata.finalizers ?? []).filter((f) => f !== FINALIZER));
}

/** report writes the zone's status (when it changes) and returns the zone as written. */
async function report(deps: ZoneReconcilerDeps, zone: DNSZone, path: string, v: Verdict, extra: Record<string, unknown> = {}): Promise<DNSZone> {
  const condition = { type: READY, status: v.ready ? ('True' as const) : ('False' as const), reason: v.reason, message: v.message, observedGeneration: zone.metadata.generation };
  const before = findCondition(zone.status?.conditions, READY);
  const written = await patchStatus(deps.client, path, zone, { conditions: setCondition(zone.status?.conditions, condition), observedGeneration: zone.metadata.generation, ...extra });
  // A new zone's way to its first serve is routine (a bulk import makes thousands, applied with
  // the instance whose pods are still starting): status says it. Losing the pods of a zone that
  // was served, and every other problem and the recovery from it, is an Event.
  const firstWay = zone.status?.syncedSerial === undefined && (before === undefined || before.reason === 'NoReadyPods' || before.reason === 'NotServed');
  const routine = (v.ready && before === undefined) || (firstWay && (v.ready || v.reason === 'NoReadyPods'));
  if (before?.reason !== v.reason && !v.quiet && !routine) deps.events.record(zone, v.ready ? 'Normal' : 'Warning', v.reason, v.message);
  return written;
}
