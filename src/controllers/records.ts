import { API_VERSION, READY, RESOURCES, type DNSZone, type DnsRecord, type RecordKind } from '../crds/index.js';
import { attaches, buildZone, recordSource, zoneOwner } from '../dns/build.js';
import { normalizeZoneName } from '../dns/names.js';
import { contentHash } from '../dns/zone.js';
import type { KubeClient } from '../kube/api-client.js';
import type { EventRecorder } from '../kube/events.js';
import { resourcePath } from '../kube/objects.js';
import { findCondition, patchStatus, setCondition } from '../kube/status.js';
import type { Caches } from './caches.js';
import type { ReconcileContext } from './controller.js';

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
}

/**
 * judgeRecord decides a record's Ready condition from the same pure build the zone reconciler
 * renders from, so a record reports exactly what happened to it in its zone.
 */
export function judgeRecord(caches: Caches, record: DnsRecord): Outcome {
  const ns = record.metadata.namespace ?? '';
  const zones = caches.zones.list(ns).filter((z: DNSZone) => !z.metadata.deletionTimestamp && attaches(z, record));
  if (zones.length === 0) {
    const how = record.spec.zoneRef ? `no DNSZone named "${record.spec.zoneRef}" in namespace ${ns}` : `no DNSZone in namespace ${ns} selects it (set spec.zoneRef, or labels matching a zone's recordSelector)`;
    return { ready: false, reason: 'NoZone', message: how };
  }
  const zone = zones.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0] as DNSZone;
  const zoneName = normalizeZoneName(zone.spec.zoneName);
  const owner = zoneOwner(caches.zones.list().filter((z) => normalizeZoneName(z.spec.zoneName) === zoneName));
  if (owner?.metadata.uid !== zone.metadata.uid) return { ready: false, reason: 'ZoneNotReady', zone: zoneName, message: `DNSZone ${zone.metadata.name} is a duplicate of another zone and is not served` };
  const built = buildZone(zone, caches.recordIndex.candidates(zone));
  const verdict = built.verdicts.get(recordSource(record));
  if (!verdict) return { ready: false, reason: 'NoZone', message: 'record not attached to a zone' };
  if (!verdict.ok) return { ready: false, reason: verdict.reason, message: verdict.message, zone: zoneName };
  return servedOutcome(record, zone, zoneName, contentHash(built.data));
}

/**
 * servedOutcome: a valid record is Ready only once every pod serves a serial that contains it —
 * the zone's status.serial was rendered from the content the record is in now (same content
 * hash) and the zone was Synced at that serial. A record already Ready for its current
 * generation stays Ready while a later serial is on its way: the older serial named still serves
 * contains it unchanged.
 */
function servedOutcome(record: DnsRecord, zone: DNSZone, zoneName: string, hashNow: string): Outcome {
  const st = zone.status;
  const where = `zone ${zoneName} (DNSZone ${zone.metadata.name})`;
  if (st?.serial !== undefined && st.contentHash === hashNow && st.syncedSerial === st.serial) {
    return { ready: true, reason: 'Attached', message: `served in ${where} at serial ${st.serial} by every pod`, zone: zoneName };
  }
  const before = findCondition(record.status?.conditions, READY);
  if (before?.status === 'True' && before.observedGeneration === record.metadata.generation && record.status?.zone === zoneName) {
    return { ready: true, reason: before.reason, message: before.message, zone: zoneName };
  }
  const zoneReady = findCondition(st?.conditions, READY);
  const why = zoneReady ? ` (zone: ${zoneReady.reason}: ${zoneReady.message})` : '';
  return { ready: false, reason: 'NotYetServed', message: `waiting until every pod of ${where} serves a serial containing this record${why}`.slice(0, 900), zone: zoneName };
}

/** reconcileRecord reports a record's state; the DNSZone reconciler does the serving. */
export async function reconcileRecord(deps: RecordReconcilerDeps, kind: RecordKind, key: string, _ctx: ReconcileContext): Promise<void> {
  const record = deps.caches.records.get(kind)?.get(key);
  if (!record || record.metadata.deletionTimestamp) return;
  const outcome = judgeRecord(deps.caches, record);
  const path = resourcePath(API_VERSION, RESOURCES[kind].plural, record.metadata.namespace, record.metadata.name);
  const condition = { type: READY, status: outcome.ready ? ('True' as const) : ('False' as const), reason: outcome.reason, message: outcome.message, observedGeneration: record.metadata.generation };
  const before = findCondition(record.status?.conditions, READY);
  await patchStatus(deps.client, path, record, {
    conditions: setCondition(record.status?.conditions, condition),
    observedGeneration: record.metadata.generation,
    ...(outcome.zone ? { zone: outcome.zone } : {}),
  });
  // A record's first attachment is routine (and there may be thousands at once): status says it.
  // Events are kept for problems and for the recovery from one.
  const routine = outcome.ready && before === undefined;
  if (before?.reason !== outcome.reason && !routine) deps.events.record(record, outcome.ready ? 'Normal' : 'Warning', outcome.reason, outcome.message);
}
