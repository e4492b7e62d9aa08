/**
 * The apex NS RRset and its glue, from a DNSZone's soaRecord.primaryNs, nameServers and the
 * deprecated nameServerIps (upstream: primaryNs is always a name server; glue A/AAAA records are
 * made for name servers inside the zone).
 */
import type { DNSZone } from '../crds/types.js';
import { checkDomainName, checkIPv4, checkIPv6, fqdn, type Verdict } from './names.js';
import type { ZoneRecord } from './records.js';

/** nameServerHosts lists the absolute names of the apex NS records: primaryNs first, no duplicates. */
export function nameServerHosts(zone: DNSZone): string[] {
  const hosts = [zone.spec.soaRecord?.primaryNs ?? '', ...(zone.spec.nameServers ?? []).map((n) => n.hostname)].filter((h) => h !== '');
  return [...new Set(hosts.map(fqdn))];
}

interface Glue {
  readonly host: string;
  readonly type: 'A' | 'AAAA';
  readonly address: string;
  readonly field: string;
}

function glueWanted(zone: DNSZone): Glue[] {
  const out: Glue[] = [];
  for (const [i, n] of (zone.spec.nameServers ?? []).entries()) {
    if (n.ipv4Address) out.push({ host: n.hostname, type: 'A', address: n.ipv4Address, field: `nameServers[${i}].ipv4Address` });
    if (n.ipv6Address) out.push({ host: n.hostname, type: 'AAAA', address: n.ipv6Address, field: `nameServers[${i}].ipv6Address` });
  }
  for (const [host, address] of Object.entries(zone.spec.nameServerIps ?? {})) out.push({ host, type: 'A', address, field: `nameServerIps["${host}"]` });
  return out;
}

/** relativeInZone is `host` relative to the zone, or undefined when it lies outside. */
function relativeInZone(host: string, zoneName: string): string | undefined {
  const abs = fqdn(host).slice(0, -1);
  if (abs === zoneName) return '@';
  return abs.endsWith(`.${zoneName}`) ? abs.slice(0, -(zoneName.length + 1)) : undefined;
}

/**
 * glueRecords validates the name servers and returns the glue records to serve. An address for
 * a name outside the zone is not glue (named would drop it as out-of-zone data): it is left out,
 * and `skipped` names it so the zone's status says so.
 */
export function glueRecords(zone: DNSZone, zoneName: string): { ok: true; records: ZoneRecord[]; skipped: string[] } | (Verdict & { ok: false }) {
  for (const n of zone.spec.nameServers ?? []) {
    const v = checkDomainName(n.hostname, 'nameServers hostname');
    if (!v.ok) return v;
  }
  const source = `DNSZone/${zone.metadata.namespace ?? ''}/${zone.metadata.name}`;
  const records: ZoneRecord[] = [];
  const skipped: string[] = [];
  for (const g of glueWanted(zone)) {
    const v = g.type === 'A' ? checkIPv4(g.address) : checkIPv6(g.address);
    if (!v.ok) return { ...v, message: `${g.field}: ${v.message}` };
    const name = relativeInZone(g.host, zoneName);
    if (name === undefined) {
      skipped.push(g.field);
      continue;
    }
    records.push({ name, type: g.type, rdata: g.type === 'AAAA' ? g.address.toLowerCase() : g.address, source });
  }
  return { ok: true, records, skipped };
}
