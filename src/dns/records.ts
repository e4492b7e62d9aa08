import { checkDomainName, checkIPv4, checkIPv6, checkRange, firstFailure, fqdn, invalid, OK, ownerName, type Verdict } from './names.js';

import type { RecordKind } from '../crds/types.js';

/** RecordSpec is the union of every record kind's spec fields (what the CRDs accept). */
export interface RecordSpec {
  readonly name: string;
  readonly ttl?: number | null;
  readonly ipv4Addresses?: readonly string[];
  readonly ipv6Addresses?: readonly string[];
  readonly target?: string;
  readonly priority?: number;
  readonly mailServer?: string;
  readonly text?: readonly string[];
  readonly nameserver?: string;
  readonly weight?: number;
  readonly port?: number;
  readonly flags?: number;
  readonly tag?: string;
  readonly value?: string;
}

/** ZoneRecord is one validated resource record, relative to its zone, ready to render. */
export interface ZoneRecord {
  /** Owner name relative to the zone; "@" is the apex. */
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  /** RDATA in zone-file syntax; names inside are absolute. */
  readonly rdata: string;
  /** Which resource asked for it, "Kind/namespace/name" (for messages and conflict checks). */
  readonly source: string;
}

export type RecordResult = { readonly ok: true; readonly records: ZoneRecord[] } | (Verdict & { readonly ok: false });

const TYPE: Record<RecordKind, string> = {
  ARecord: 'A',
  AAAARecord: 'AAAA',
  CNAMERecord: 'CNAME',
  MXRecord: 'MX',
  TXTRecord: 'TXT',
  NSRecord: 'NS',
  SRVRecord: 'SRV',
  CAARecord: 'CAA',
};

/**
 * toZoneRecords validates one record resource against its zone and converts it for rendering:
 * one ZoneRecord per RDATA (an A/AAAA address list becomes one RRset), all or none.
 */
export function toZoneRecords(kind: RecordKind, spec: RecordSpec, zoneName: string, source: string): RecordResult {
  const owner = ownerName(spec.name, zoneName);
  if ('ok' in owner && !owner.ok) return owner;
  const name = (owner as { relative: string }).relative;
  const ttl = spec.ttl ?? undefined;
  if (ttl !== undefined) {
    const verdict = checkRange(ttl, 'ttl', 0, 2147483647);
    if (!verdict.ok) return verdict;
  }
  if (kind === 'CNAMERecord' && name === '@') {
    return invalid('CNAMEAtApex', `a CNAME may not be at the zone apex of "${zoneName}" (RFC 1912 2.4); use A/AAAA records for "@" or give the CNAME a name such as "www"`) as RecordResult;
  }
  const rdatas: string[] = [];
  for (const rdata of rdataOf(kind, spec)) {
    if (typeof rdata !== 'string') return rdata as RecordResult;
    rdatas.push(rdata);
  }
  return { ok: true, records: rdatas.map((rdata) => ({ name, type: TYPE[kind], ttl, rdata, source })) };
}

function addresses(list: readonly string[] | undefined, check: (a: string) => Verdict, field: string, norm: (a: string) => string): Array<string | Verdict> {
  if (!Array.isArray(list) || list.length === 0) return [invalid('InvalidAddress', `${field} must list at least one address`)];
  return list.map((a) => either(check(String(a)), () => norm(String(a))));
}

function rdataOf(kind: RecordKind, s: RecordSpec): Array<string | Verdict> {
  switch (kind) {
    case 'ARecord':
      return addresses(s.ipv4Addresses, checkIPv4, 'ipv4Addresses', (a) => a);
    case 'AAAARecord':
      return addresses(s.ipv6Addresses, checkIPv6, 'ipv6Addresses', (a) => a.toLowerCase());
    default:
      return [rdataOfOne(kind, s)];
  }
}

function rdataOfOne(kind: Exclude<RecordKind, 'ARecord' | 'AAAARecord'>, s: RecordSpec): string | Verdict {
  switch (kind) {
    case 'CNAMERecord':
      return either(checkDomainName(String(s.target ?? ''), 'target'), () => fqdn(String(s.target)));
    case 'NSRecord':
      return either(checkDomainName(String(s.nameserver ?? ''), 'nameserver'), () => fqdn(String(s.nameserver)));
    case 'MXRecord':
      return either(
        firstFailure(checkRange(s.priority, 'priority', 0, 65535), checkTarget(s.mailServer, 'mailServer')),
        () => `${s.priority} ${fqdn(String(s.mailServer))}`,
      );
    case 'SRVRecord':
      return either(
        firstFailure(
          checkRange(s.priority, 'priority', 0, 65535),
          checkRange(s.weight, 'weight', 0, 65535),
          checkRange(s.port, 'port', 0, 65535),
          checkTarget(s.target, 'target'),
        ),
        () => `${s.priority} ${s.weight} ${s.port} ${fqdn(String(s.target))}`,
      );
    case 'TXTRecord':
      return either(checkTxt(s.text), () => (s.text ?? []).flatMap(splitTxt).map(quote).join(' '));
    case 'CAARecord':
      return either(checkCaa(s), () => `${s.flags} ${s.tag} ${quote(String(s.value))}`);
  }
}

function either(verdict: Verdict, render: () => string): string | Verdict {
  return verdict.ok ? render() : verdict;
}

function checkTxt(text: readonly string[] | undefined): Verdict {
  if (!Array.isArray(text) || text.length === 0) return invalid('InvalidValue', 'text must be a non-empty list of strings');
  if (text.some((t) => typeof t !== 'string')) return invalid('InvalidValue', 'every text entry must be a string');
  return OK;
}

/** splitTxt cuts a string into ≤255-octet character-strings (the wire limit) without splitting a UTF-8 sequence. */
export function splitTxt(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 255) return [text];
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + 255, bytes.length);
    // 0b10xxxxxx is a continuation byte: back up to a character boundary.
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
  return parts;
}

/** checkTarget accepts a host name or "." (null MX / "no service" SRV). */
function checkTarget(target: unknown, field: string): Verdict {
  if (target === '.') return OK;
  return checkDomainName(String(target ?? ''), field);
}

const CAA_TAGS = ['issue', 'issuewild', 'iodef'];

function checkCaa(s: RecordSpec): Verdict {
  if (!CAA_TAGS.includes(String(s.tag))) return invalid('InvalidValue', `tag "${s.tag}" must be one of ${CAA_TAGS.join(', ')}`);
  if (typeof s.value !== 'string') return invalid('InvalidValue', 'value must be a string, e.g. "letsencrypt.org"');
  return checkRange(s.flags, 'flags', 0, 255);
}

/** quote renders a zone-file character-string: quotes and backslashes escaped, non-printables as \DDD. */
export function quote(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${String(byte).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/**
 * rejectConflicts removes records that cannot coexist: a CNAME that shares its name with any
 * other data (RFC 1034 3.6.2), keeping the other data so the zone still serves. Returns the
 * kept records and a verdict per rejected source.
 */
export function rejectConflicts(records: readonly ZoneRecord[]): { kept: ZoneRecord[]; rejected: Map<string, Verdict> } {
  const byName = new Map<string, ZoneRecord[]>();
  for (const r of records) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const rejected = new Map<string, Verdict>();
  for (const [name, group] of byName) {
    const cnames = group.filter((r) => r.type === 'CNAME');
    if (cnames.length === 0 || group.length === 1) continue;
    const others = group.filter((r) => r.type !== 'CNAME');
    // With no other data, the first CNAME (in a stable order) wins over duplicates.
    const losers = others.length > 0 ? cnames : [...cnames].sort((a, b) => a.source.localeCompare(b.source)).slice(1);
    const holder = others[0]?.source ?? cnames.find((c) => !losers.includes(c))?.source;
    for (const loser of losers) {
      rejected.set(loser.source, invalid('CNAMEConflict', `CNAME "${name}" conflicts with ${holder} at the same name; a CNAME must be the only record at its name — rename or delete one of them`));
    }
  }
  return { kept: records.filter((r) => !rejected.has(r.source)), rejected };
}
