import { DEFAULTS, type DNSZone, type DnsRecord } from '../crds/types.js';
import { checkDomainName, checkZoneName, firstFailure, invalid, normalizeZoneName, OK, type Verdict } from './names.js';
import { checkHostName, checkNameLimits, checkRecordAlone, checkSoa, checkZoneRecords } from './named-rules.js';
import { rejectConflicts, toZoneRecords, type RecordSpec, type ZoneRecord } from './records.js';
import { badOperator, matchesAny } from './selectors.js';
import { glueRecords, nameServerHosts } from './name-servers.js';
import type { ZoneData } from './zone.js';
import { intern } from '../kube/intern.js';

/** recordSource names a record resource the way verdicts and messages refer to it. */
export function recordSource(r: DnsRecord): string {
  // Interned: a zone's build keys its verdicts and generations by it, as the record index keys its entries.
  return intern(`${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`);
}

/** recordSourceParts reads a recordSource back: neither a kind nor a Kubernetes name or namespace holds a slash. */
export function recordSourceParts(source: string): { readonly kind: string; readonly namespace: string; readonly name: string } {
  const [kind = '', namespace = '', name = ''] = source.split('/');
  return { kind, namespace, name };
}

/** attaches says whether a record belongs to a zone: same namespace, and selected by one of the zone's recordsFrom. */
export function attaches(zone: DNSZone, record: DnsRecord): boolean {
  return record.metadata.namespace === zone.metadata.namespace && matchesAny(zone.spec.recordsFrom, record.metadata.labels);
}

/** BuiltZone is a DNSZone with its records validated: what to render, and a verdict per attached record. */
export interface BuiltZone {
  readonly zoneVerdict: Verdict;
  /** Name-server addresses left out because they are outside the zone (not glue), by field. */
  readonly skippedGlue: readonly string[];
  /** The records attached to the zone (valid or not); `verdicts` says which are served. */
  readonly records: readonly DnsRecord[];
  readonly data: ZoneData;
  readonly verdicts: ReadonlyMap<string, Verdict>;
}

/** checkZoneSpec validates the parts of a DNSZone that would make the whole zone unservable. */
export function checkZoneSpec(zone: DNSZone): Verdict {
  const soa = zone.spec.soaRecord;
  const operator = badOperator(zone.spec.recordsFrom) ?? badOperator(zone.spec.bind9InstancesFrom);
  return firstFailure(
    checkZoneName(zone.spec.zoneName),
    checkDomainName(soa?.primaryNs ?? '', 'soaRecord.primaryNs'),
    soa?.adminEmail ? OK : invalid('InvalidValue', 'soaRecord.adminEmail is required, e.g. hostmaster.example.com.'),
    operator === undefined ? OK : invalid('InvalidSelector', `matchExpressions operator "${operator}" is not one of In, NotIn, Exists, DoesNotExist`),
  );
}

/** checkNameServer is named's check for an apex NS target the zone names: a host name within the wire limits. */
function checkNameServer(host: string): Verdict {
  return firstFailure(checkNameLimits(host, 'name server'), checkHostName(host, 'name server (nameServers/soaRecord.primaryNs)', false));
}

/**
 * buildZone validates a zone and every record attached to it. Invalid records are left out
 * (with a verdict that says why) so the rest of the zone keeps serving; so is a record that
 * `rivals` (the other live zones of the namespace) select too, as it cannot be in two zones.
 */
export function buildZone(zone: DNSZone, records: readonly DnsRecord[], rivals: readonly DNSZone[] = []): BuiltZone {
  const zoneName = normalizeZoneName(zone.spec.zoneName ?? '');
  const verdicts = new Map<string, Verdict>();
  const valid: ZoneRecord[] = [];
  const attached = records.filter((r) => attaches(zone, r) && !r.metadata.deletionTimestamp);
  for (const record of attached) {
    const rival = rivals.find((z) => z.metadata.uid !== zone.metadata.uid && !z.metadata.deletionTimestamp && attaches(z, record));
    if (rival) {
      verdicts.set(recordSource(record), invalid('MultipleZones', `selected by the recordsFrom of DNSZones ${zone.metadata.name} and ${rival.metadata.name}; change its labels or a selector so that exactly one zone selects it`));
      continue;
    }
    const result = toZoneRecords(record.kind, record.spec as RecordSpec, zoneName, recordSource(record));
    // A record named would refuse on its own (check-names, size limits) is left out, every RDATA of it.
    const verdict = result.ok ? firstFailure(...result.records.map((r) => checkRecordAlone(r, zoneName))) : result;
    if (result.ok && verdict.ok) valid.push(...result.records);
    else verdicts.set(recordSource(record), verdict);
  }
  const glue = glueRecords(zone, zoneName);
  // Glue is A/AAAA data like any other: named refuses it by the same rules, and then the whole zone.
  const glueVerdict = glue.ok ? firstFailure(...glue.records.map((r) => checkRecordAlone(r, zoneName))) : glue;
  const { kept: unconflicted, rejected } = rejectConflicts([...valid, ...(glue.ok ? glue.records : [])]);
  for (const [source, v] of rejected) verdicts.set(source, v);
  const soa = zone.spec.soaRecord ?? { primaryNs: '', adminEmail: '', refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
  // Rules across records (NS targets, glue, RRset size) run on what is left after conflicts.
  const judged = checkZoneRecords(unconflicted, zoneName, nameServerHosts(zone));
  for (const [source, v] of judged.rejected) verdicts.set(source, v);
  const kept = unconflicted.filter((r) => !judged.rejected.has(r.source));
  for (const r of kept) if (!verdicts.has(r.source)) verdicts.set(r.source, OK);
  return {
    zoneVerdict: firstFailure(checkZoneSpec(zone), glueVerdict, checkSoa(soa.primaryNs, soa.adminEmail), ...nameServerHosts(zone).map(checkNameServer), judged.zone),
    records: attached,
    skippedGlue: glue.ok ? glue.skipped : [],
    verdicts,
    data: {
      zoneName,
      ttl: zone.spec.ttl ?? DEFAULTS.dnsZone.ttl,
      soa: { primaryNs: soa.primaryNs, adminEmail: soa.adminEmail, refresh: soa.refresh, retry: soa.retry, expire: soa.expire, negativeTtl: soa.negativeTtl },
      nameServers: nameServerHosts(zone),
      records: kept,
    },
  };
}
