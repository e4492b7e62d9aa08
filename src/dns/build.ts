import { DEFAULTS, type DNSZone, type DnsRecord } from '../crds/types.js';
import { checkDomainName, checkZoneName, firstFailure, invalid, normalizeZoneName, type Verdict } from './names.js';
import { checkRecordAlone, checkSoa, checkZoneRecords } from './named-rules.js';
import { rejectConflicts, toZoneRecord, type RecordSpec, type ZoneRecord } from './records.js';
import type { ZoneData } from './zone.js';

/** recordSource names a record resource the way verdicts and messages refer to it. */
export function recordSource(r: DnsRecord): string {
  return `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;
}

/** matchesLabels is a matchLabels selector; an empty or missing selector matches nothing here, as selecting every object by accident is worse. */
export function matchesLabels(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

/** attaches says whether a record belongs to a zone: by zoneRef when set, else by the zone's recordSelector. */
export function attaches(zone: DNSZone, record: DnsRecord): boolean {
  if (record.metadata.namespace !== zone.metadata.namespace) return false;
  if (record.spec.zoneRef) return record.spec.zoneRef === zone.metadata.name;
  return matchesLabels(zone.spec.recordSelector?.matchLabels, record.metadata.labels);
}

/** BuiltZone is a DNSZone with its records validated: what to render, and a verdict per attached record. */
export interface BuiltZone {
  readonly zoneVerdict: Verdict;
  readonly data: ZoneData;
  readonly verdicts: ReadonlyMap<string, Verdict>;
}

/** checkZoneSpec validates the parts of a DNSZone that would make the whole zone unservable. */
export function checkZoneSpec(zone: DNSZone): Verdict {
  const soa = zone.spec.soaRecord;
  return firstFailure(
    checkZoneName(zone.spec.zoneName),
    checkDomainName(soa?.primaryNs ?? '', 'soaRecord.primaryNs'),
    soa?.adminEmail ? { ok: true } : invalid('InvalidValue', 'soaRecord.adminEmail is required, e.g. hostmaster@example.com'),
    ...(zone.spec.nameServers ?? []).map((ns) => checkDomainName(ns, 'nameServers entry')),
  );
}

/**
 * buildZone validates a zone and every record attached to it. Invalid records are left out
 * (with a verdict that says why) so the rest of the zone keeps serving.
 */
export function buildZone(zone: DNSZone, records: readonly DnsRecord[]): BuiltZone {
  const zoneName = normalizeZoneName(zone.spec.zoneName ?? '');
  const verdicts = new Map<string, Verdict>();
  const valid: ZoneRecord[] = [];
  for (const record of records.filter((r) => attaches(zone, r) && !r.metadata.deletionTimestamp)) {
    const result = toZoneRecord(record.kind, record.spec as RecordSpec, zoneName, recordSource(record));
    // A record named would refuse on its own (check-names, size limits) is left out here.
    const verdict = result.ok ? checkRecordAlone(result.record, zoneName) : result;
    if (result.ok && verdict.ok) valid.push(result.record);
    else verdicts.set(recordSource(record), verdict);
  }
  const { kept: unconflicted, rejected } = rejectConflicts(valid);
  for (const [source, verdict] of rejected) verdicts.set(source, verdict);
  const d = DEFAULTS.dnsZone;
  const soa = zone.spec.soaRecord ?? { primaryNs: '', adminEmail: '' };
  // Rules across records (NS targets, glue, RRset size) run on what is left after conflicts.
  const judged = checkZoneRecords(unconflicted, zoneName, zone.spec.nameServers?.length ? zone.spec.nameServers : [soa.primaryNs]);
  for (const [source, verdict] of judged.rejected) verdicts.set(source, verdict);
  const kept = unconflicted.filter((r) => !judged.rejected.has(r.source));
  for (const r of kept) verdicts.set(r.source, { ok: true });
  return {
    zoneVerdict: firstFailure(checkZoneSpec(zone), checkSoa(soa.primaryNs, soa.adminEmail), judged.zone),
    verdicts,
    data: {
      zoneName,
      ttl: zone.spec.ttl ?? d.ttl,
      soa: {
        primaryNs: soa.primaryNs,
        adminEmail: soa.adminEmail,
        refresh: soa.refresh ?? d.soaRecord.refresh,
        retry: soa.retry ?? d.soaRecord.retry,
        expire: soa.expire ?? d.soaRecord.expire,
        negativeTtl: soa.negativeTtl ?? d.soaRecord.negativeTtl,
      },
      nameServers: zone.spec.nameServers ?? [],
      records: kept,
    },
  };
}

/**
 * zoneOwner decides which DNSZone serves a zoneName claimed by several: the oldest
 * (creationTimestamp, then namespace/name) wins; the others report DuplicateZone.
 */
export function zoneOwner(claimants: readonly DNSZone[]): DNSZone | undefined {
  const key = (z: DNSZone) => `${z.metadata.creationTimestamp ?? ''}\u0000${z.metadata.namespace}/${z.metadata.name}`;
  return [...claimants].filter((z) => !z.metadata.deletionTimestamp).sort((a, b) => (key(a) < key(b) ? -1 : 1))[0];
}
