import { createHash } from 'node:crypto';
import { fqdn, normalizeZoneName } from './names.js';
import type { ZoneRecord } from './records.js';

/** SoaSettings mirrors DNSZone spec.soaRecord with defaults applied. */
export interface SoaSettings {
  readonly primaryNs: string;
  readonly adminEmail: string;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly negativeTtl: number;
}

/** ZoneData is everything that determines a zone's text except its serial. */
export interface ZoneData {
  readonly zoneName: string;
  readonly ttl: number;
  readonly soa: SoaSettings;
  /** Absolute names of the apex NS records (primaryNs and spec.nameServers). */
  readonly nameServers: readonly string[];
  readonly records: readonly ZoneRecord[];
}

/** adminMailbox turns "hostmaster@example.com" into the SOA RNAME "hostmaster.example.com." (dots in the local part escaped). */
export function adminMailbox(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return fqdn(email);
  return fqdn(`${email.slice(0, at).replace(/\./g, '\\.')}.${email.slice(at + 1)}`);
}

function sortKey(r: ZoneRecord): string {
  return `${r.name === '@' ? '' : r.name}\u0000${r.type}\u0000${r.rdata}`;
}

/**
 * ZoneText is a rendered zone file without its serial: `head`, the serial, then `tail`. A zone's
 * build keeps this rather than the records it was rendered from, for the push that needs it, until
 * every pod serves it (ZoneBuilds.settle).
 */
export interface ZoneText {
  readonly head: string;
  readonly tail: string;
}

/**
 * zoneText renders a zone. Output depends only on its input (records sorted, duplicates of the
 * same RRset member dropped), so the same desired state always hashes the same.
 */
export function zoneText(data: ZoneData): ZoneText {
  const zone = normalizeZoneName(data.zoneName);
  const soa = data.soa;
  const head = `; zone ${zone} rendered by bindy; do not edit, the operator overwrites it\n$ORIGIN ${zone}.\n$TTL ${data.ttl}\n@ IN SOA ${fqdn(soa.primaryNs)} ${adminMailbox(soa.adminEmail)} `;
  const lines = [` ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.negativeTtl}`];
  // primaryNs is always a name server (as upstream); the others come from spec.nameServers.
  for (const ns of [...new Set([soa.primaryNs, ...data.nameServers].map(fqdn))].sort()) lines.push(`@ IN NS ${ns}`);
  const seen = new Set<string>();
  for (const r of [...data.records].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0))) {
    const key = sortKey(r);
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(`${r.name}${r.ttl === undefined ? '' : ` ${r.ttl}`} IN ${r.type} ${r.rdata}`);
  }
  return { head, tail: `${lines.join('\n')}\n` };
}

/** withSerial is the zone file of `text` at `serial`. */
export function withSerial(text: ZoneText, serial: number): string {
  return `${text.head}${serial}${text.tail}`;
}

/** renderZone renders a zone file at `serial`. */
export function renderZone(data: ZoneData, serial: number): string {
  return withSerial(zoneText(data), serial);
}

/** contentHash identifies the zone's content without its serial: equal hash ⇒ nothing to push. */
export function contentHash(text: ZoneText): string {
  return createHash('sha256').update(withSerial(text, 0)).digest('hex').slice(0, 32);
}

/**
 * nextSerial never goes backwards: above the serial stored in status and above anything an
 * agent reports (a previous leader may have pushed a serial it failed to record).
 */
export function nextSerial(storedSerial: number | undefined, reportedSerials: readonly number[], floor = 0): number {
  // floor is spec.soaRecord.serial: the first serial is at least that, later ones only grow.
  const highest = Math.max(storedSerial ?? 0, floor - 1, ...reportedSerials);
  // SOA serials are 32-bit; a wrap would be read as "older" by secondaries.
  if (highest >= 0xffffffff) throw new Error(`serial ${highest} cannot grow further; reset it by hand (RFC 1982)`);
  return highest + 1;
}

/** soaSerial reads the serial from zone text rendered by renderZone. */
export function soaSerial(text: string): number | undefined {
  const m = /^@ IN SOA \S+ \S+ (\d+) /m.exec(text);
  return m ? Number(m[1]) : undefined;
}
