import { API_VERSION, READY, RESOURCES, type DNSZone, type DnsRecord, type RecordKind } from '../crds/index.js';
import { attaches, recordSource } from '../dns/build.js';
import { normalizeZoneName } from '../dns/names.js';
import type { KubeClient } from '../kube/api-client.js';
import type { EventRecorder } from '../kube/events.js';
import { resourcePath } from '../kube/objects.js';
import { findCondition, patchStatus, setCondition } from '../kube/status.js';
import type { Caches } from './caches.js';
import { verdictOf } from './zone-builds.js';
import type { ReconcileContext, ReconcileResult } from './controller.js';

export interface RecordReconcilerDeps {
  readonly client: KubeClient;
  readonly caches: Caches;
  readonly events: EventRecorder;
}

interface Outcome {
  readonly ready: boolean;
  readonly reason: string;
  readonly message: string;
  readonly zone?: string;
  /** The DNSZone object the record belongs to (status.zoneRef). */
  readonly zoneObject?: DNSZone;
}

/**
 * judgeRecord decides a record's Ready condition from the same pure build the zone reconciler
 * renders from, so a record reports exactly what happened to it in its zone.
 */
export function judgeRecord(caches: Caches, record: DnsRecord): Outcome {
  const ns = record.metadata.namespace ?? '';
  const zones = caches.zoneIndex.selecting(record).filter((z: DNSZone) => attaches(z, record));
  if (zones.length === 0) {
    // A zone whose claim is refused may select it: it is not served, and the record should say why.
    const loser = caches.zones.list(ns).find((z) => !z.metadata.deletionTimestamp && attaches(z, record));
    if (loser) return { ready: false, reason: 'ZoneNotReady', zone: normalizeZoneName(loser.spec.zoneName), message: `DNSZone ${loser.metadata.name} is refused its zoneName (DuplicateZone or ZoneNotAllowed, see its status) and is not served` };
    return { ready: false, reason: 'NoZone', message: `no DNSZone in namespace ${ns} selects it; give it labels that a DNSZone's recordsFrom selector matches` };
  }
  const zone = zones.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0] as DNSZone;
  if (zones.length > 1) {
    const names = zones.map((z) => z.metadata.name).join(', ');
    return { ready: false, reason: 'MultipleZones', message: `selected by the recordsFrom of DNSZones ${names}; change its labels or a selector so that exactly one zone selects it` };
  }
  const zoneName = normalizeZoneName(zone.spec.zoneName);
  const build = caches.zoneBuilds.forRecord(zone, record);
  const verdict = verdictOf(build, recordSource(record));
  if (!verdict) return { ready: false, reason: 'NoZone', message: 'record not attached to a zone' };
  if (!verdict.ok) return { ready: false, reason: verdict.reason, message: verdict.message, zone: zoneName };
  return servedOutcome(record, zone, zoneName, build.hash);
}

/**
 * servedOutcome: a valid record is Ready only once every pod serves a serial that contains it —
 * the zone's status.serial was rendered from the content the record is in now (same content
 * hash) and the zone was Synced at that serial. While its zone is on its way to serve it (not
 * reconciled yet, NotServed, waiting for the first ready pod of a zone never served, or Synced
 * at older content), a record already Ready for its current
 * generation stays Ready — the older serial named still serves contains it unchanged — and any
 * other is NotYetServed. A zone that is failing (PushFailed, NoInstances, refused spec, …) makes
 * it ZoneNotReady with the zone's reason.
 */
function servedOutcome(record: DnsRecord, zone: DNSZone, zoneName: string, hashNow: string): Outcome {
  const st = zone.status;
  const where = `zone ${zoneName} (DNSZone ${zone.metadata.name})`;
  if (st?.serial !== undefined && st.contentHash === hashNow && st.syncedSerial === st.serial) {
    // The serial it was first served at stays in the message: naming each later serial rewrote the
    // status of every record of a zone at every change of the zone.
    const was = findCondition(record.status?.conditions, READY);
    const still = was?.status === 'True' && was.reason === 'Attached' && was.observedGeneration === record.metadata.generation && record.status?.zone === zoneName;
    return { ready: true, reason: 'Attached', message: still && was.message ? was.message : `served in ${where} by every pod since serial ${st.serial}`, zone: zoneName, zoneObject: zone };
  }
  const zoneReady = findCondition(st?.conditions, READY);
  // A zone never served yet that waits for its first ready pod (an instance starting beside it) is on its way too.
  const firstWait = zoneReady?.reason === 'NoReadyPods' && st?.syncedSerial === undefined;
  const onItsWay = !zoneReady || zoneReady.observedGeneration !== zone.metadata.generation || zoneReady.status === 'True' || zoneReady.reason === 'NotServed' || firstWait;
  if (!onItsWay) {
    return { ready: false, reason: 'ZoneNotReady', message: `DNSZone ${zone.metadata.name} is not Ready (${zoneReady.reason}: ${zoneReady.message})`.slice(0, 1000), zone: zoneName, zoneObject: zone };
  }
  const before = findCondition(record.status?.conditions, READY);
  if (before?.status === 'True' && before.observedGeneration === record.metadata.generation && record.status?.zone === zoneName) {
    return { ready: true, reason: before.reason ?? 'Attached', message: before.message ?? '', zone: zoneName, zoneObject: zone };
  }
  const why = zoneReady ? ` (zone: ${zoneReady.reason}: ${zoneReady.message})` : '';
  return { ready: false, reason: 'NotYetServed', message: `waiting until every pod of ${where} serves a serial containing this record${why}`.slice(0, 900), zone: zoneName, zoneObject: zone };
}

/**
 * FIRST_STATUS_GRACE_MS: a new record's first status is not written as NotYetServed while it is
 * younger than this; its zone usually serves it sooner (which re-judges it at once), and writing
 * the passing state first doubled the status writes of a bulk import (10,000 records: 20,000
 * writes queued behind each other). A record its zone has not served by then says so.
 */
const FIRST_STATUS_GRACE_MS = 5_000;

/** reconcileRecord reports a record's state; the DNSZone reconciler does the serving. */
export async function reconcileRecord(deps: RecordReconcilerDeps, kind: RecordKind, key: string, _ctx: ReconcileContext): Promise<ReconcileResult | void> {
  const record = deps.caches.records.get(kind)?.get(key);
  if (!record || record.metadata.deletionTimestamp) return;
  const outcome = judgeRecord(deps.caches, record);
  const wait = firstStatusWait(record, outcome);
  if (wait > 0) return { requeueAfterMs: wait };
  const path = resourcePath(API_VERSION, RESOURCES[kind].plural, record.metadata.namespace, record.metadata.name);
  const condition = { type: READY, status: outcome.ready ? ('True' as const) : ('False' as const), reason: outcome.reason, message: outcome.message, observedGeneration: record.metadata.generation };
  const before = findCondition(record.status?.conditions, READY);
  await patchStatus(deps.client, path, record, {
    conditions: setCondition(record.status?.conditions, condition),
    observedGeneration: record.metadata.generation,
    ...(outcome.zone ? { zone: outcome.zone } : {}),
    ...(outcome.zoneObject && outcome.zone ? { zoneRef: { apiVersion: API_VERSION, kind: 'DNSZone', name: outcome.zoneObject.metadata.name, namespace: ns(record), zoneName: outcome.zone } } : {}),
    ...addressesOf(record),
  });
  // A record's first attachment is routine (and there may be thousands at once): status says it,
  // as it says NotYetServed, the passing state before it. Events are kept for problems and for
  // the recovery from one.
  const routine = outcome.reason === 'NotYetServed' || (outcome.ready && (before === undefined || before.reason === 'NotYetServed'));
  if (before?.reason !== outcome.reason && !routine) deps.events.record(record, outcome.ready ? 'Normal' : 'Warning', outcome.reason, outcome.message);
}

/** firstStatusWait is how long a new record's NotYetServed may wait (0: write it now). */
function firstStatusWait(record: DnsRecord, outcome: Outcome, now = Date.now()): number {
  if (outcome.reason !== 'NotYetServed' || record.status?.conditions?.length) return 0;
  const age = now - Date.parse(record.metadata.creationTimestamp ?? '');
  // A clock behind the apiserver's (negative age) or an unknown creation time writes at once.
  return age >= 0 && age < FIRST_STATUS_GRACE_MS ? FIRST_STATUS_GRACE_MS - age : 0;
}

function ns(record: DnsRecord): string {
  return record.metadata.namespace ?? '';
}

/** addressesOf is upstream's status.addresses column for A/AAAA records. */
function addressesOf(record: DnsRecord): { addresses?: string } {
  if (record.kind === 'ARecord') return { addresses: (record.spec.ipv4Addresses ?? []).join(',') };
  if (record.kind === 'AAAARecord') return { addresses: (record.spec.ipv6Addresses ?? []).join(',') };
  return {};
}
