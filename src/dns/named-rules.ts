/**
 * named-rules.ts judges resource records the way named 9.18 judges a primary zone when it loads
 * it, so a record named would refuse is found (and left out) before the zone reaches named.
 * Pure: no I/O, no CRD types — it sees rendered records (owner relative to the zone, type,
 * zone-file RDATA), so it holds whatever shape the custom resources take.
 *
 * The rules, each with the named behaviour it mirrors (verified against named-checkzone
 * -k fail -i full, which matches named's defaults for primary zones):
 *  - check-names (primary: fail): owners of A, AAAA and MX records, and the targets of NS, MX
 *    and SRV records and the SOA MNAME, must be host names (letters, digits, inner hyphens; a
 *    leading "*" label for owners) — "my_host" is refused with "bad owner name (check-names)".
 *  - a label is at most 63 octets and a name at most 255 octets on the wire ("label too long",
 *    "ran out of space").
 *  - one TXT record's RDATA is at most 65535 octets ("ran out of space"); a TXT RRset must fit one
 *    DNS message, or no client can ever receive it.
 *  - an NS target may not be a CNAME ("is a CNAME (illegal)"); an apex NS target inside the
 *    zone needs an A/AAAA record ("has no address records"); a delegation whose NS target lies
 *    below the cut needs glue ("has no REQUIRED GLUE address records").
 */
import { firstFailure, invalid, OK, type Verdict } from './names.js';
import type { ZoneRecord } from './records.js';
import { adminMailbox } from './zone.js';

export const MAX_LABEL_OCTETS = 63;
export const MAX_NAME_OCTETS = 255;
export const MAX_RDATA_OCTETS = 65535;
/** Room a DNS message leaves for an answer RRset: 65535 minus header and a maximal question. */
export const MAX_RRSET_OCTETS = 65535 - 12 - (MAX_NAME_OCTETS + 4);

/** HOST_OWNER_TYPES are the types whose owner check-names requires to be a host name. */
const HOST_OWNER_TYPES = new Set(['A', 'AAAA', 'MX']);
/** TARGET_TYPES carry a domain name as their last RDATA field. */
const TARGET_TYPES = new Set(['NS', 'MX', 'SRV', 'CNAME']);
/** HOST_TARGET_TYPES are the types whose target check-names requires to be a host name. */
const HOST_TARGET_TYPES = new Set(['NS', 'MX', 'SRV']);
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** labelsOf splits a name (no trailing dot) on unescaped dots and returns each label's octets. */
export function labelsOf(name: string): Buffer[] {
  // Without escapes a label's octets are its UTF-8 encoding: one Buffer per label, not per character
  // (judging 10,000 records spent most of a new leader's first pass here).
  if (!name.includes('\\')) return name.split('.').map((label) => Buffer.from(label, 'utf8'));
  const labels: Buffer[] = [];
  let current: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string;
    if (ch === '\\' && i + 1 < name.length) {
      const ddd = /^\d{3}/.exec(name.slice(i + 1));
      if (ddd) {
        current.push(Number(ddd[0]));
        i += 3;
      } else current.push(...Buffer.from(name[++i] as string, 'utf8'));
    } else if (ch === '.') {
      labels.push(Buffer.from(current));
      current = [];
    } else current.push(...Buffer.from(ch, 'utf8'));
  }
  labels.push(Buffer.from(current));
  return labels;
}

/** absoluteName turns a record owner ("@", "www") into the absolute name without trailing dot. */
export function absoluteName(owner: string, zoneName: string): string {
  const zone = zoneName.replace(/\.$/, '');
  return owner === '@' ? zone : `${owner}.${zone}`;
}

/** checkNameLimits enforces the 63-octet label and 255-octet name limits of the wire format. */
export function checkNameLimits(name: string, what: string): Verdict {
  const bare = name.replace(/\.$/, '');
  if (bare === '') return OK;
  const labels = labelsOf(bare);
  const long = labels.find((l) => l.length > MAX_LABEL_OCTETS);
  if (long) return invalid('LabelTooLong', `${what} "${name}" has a label of ${long.length} octets ("${long.toString('utf8').slice(0, 20)}…"); named refuses labels over ${MAX_LABEL_OCTETS} ("label too long")`);
  const octets = labels.reduce((n, l) => n + l.length + 1, 1);
  if (octets > MAX_NAME_OCTETS) return invalid('NameTooLong', `${what} "${name.slice(0, 40)}…" is ${octets} octets on the wire; named refuses names over ${MAX_NAME_OCTETS} ("ran out of space"); shorten it`);
  return OK;
}

/** checkHostName is named's check-names rule for host names (owner: a leading "*" label is allowed). */
export function checkHostName(name: string, what: string, owner: boolean): Verdict {
  const labels = name.replace(/\.$/, '').split('.');
  const bad = labels.find((l, i) => !(HOST_LABEL.test(l) || (owner && i === 0 && l === '*')));
  if (bad === undefined) return OK;
  return invalid(
    'CheckNames',
    `${what} "${name}" is not a host name: label "${bad}" (named's check-names refuses it for a primary zone; host names use letters, digits and inner hyphens only — no "_")`,
  );
}

/** targetOf returns the domain name an NS/MX/SRV/CNAME record points at (absolute, no trailing dot), or undefined. */
export function targetOf(r: ZoneRecord): string | undefined {
  if (!TARGET_TYPES.has(r.type)) return undefined;
  const target = r.rdata.trim().split(/\s+/).pop() ?? '';
  return target === '.' ? undefined : target.replace(/\.$/, '').toLowerCase();
}

/** txtOctets is the wire length of a TXT RDATA written as zone-file character-strings (a length octet each). */
export function txtOctets(rdata: string): number {
  let octets = 0;
  for (const m of rdata.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    // \DDD and \X stand for one octet each; everything else is its UTF-8 encoding.
    const body = (m[1] ?? '').replace(/\\\d{3}|\\./g, '\u0000');
    octets += 1 + Buffer.byteLength(body, 'utf8');
  }
  return octets;
}

/** checkRecordAlone applies every rule that needs only the record itself. */
export function checkRecordAlone(r: ZoneRecord, zoneName: string): Verdict {
  const owner = absoluteName(r.name, zoneName);
  const limits = checkNameLimits(owner, 'owner name');
  if (!limits.ok) return limits;
  if (HOST_OWNER_TYPES.has(r.type)) {
    const host = checkHostName(owner, `owner of this ${r.type} record`, true);
    if (!host.ok) return host;
  }
  const target = targetOf(r);
  if (target !== undefined) {
    const targetLimits = checkNameLimits(target, `${r.type} target`);
    if (!targetLimits.ok) return targetLimits;
    if (HOST_TARGET_TYPES.has(r.type)) {
      const host = checkHostName(target, `${r.type} target`, false);
      if (!host.ok) return host;
    }
  }
  if (r.type === 'TXT' && txtOctets(r.rdata) > MAX_RDATA_OCTETS) {
    return invalid('TXTTooLarge', `the text strings take ${txtOctets(r.rdata)} octets; one TXT record holds at most ${MAX_RDATA_OCTETS} ("ran out of space"); split it or shorten it`);
  }
  return OK;
}

/** ZoneJudgement is what the rules across records decided: records to leave out, and the zone's own verdict. */
export interface ZoneJudgement {
  readonly rejected: ReadonlyMap<string, Verdict>;
  readonly zone: Verdict;
}

/**
 * checkZoneRecords applies the rules that need the other records of the zone (run after each
 * record passed checkRecordAlone and CNAME conflicts were settled). `apexNameServers` are the NS
 * targets the zone itself puts at the apex (not records): when one of them breaks a rule, the
 * zone cannot be served at all, so that is the zone's verdict.
 */
export function checkZoneRecords(records: readonly ZoneRecord[], zoneName: string, apexNameServers: readonly string[]): ZoneJudgement {
  const zone = zoneName.replace(/\.$/, '').toLowerCase();
  const ownersOf = (types: string[]) => new Set(records.filter((r) => types.includes(r.type)).map((r) => absoluteName(r.name, zone)));
  const cnames = ownersOf(['CNAME']);
  const addresses = ownersOf(['A', 'AAAA']);
  const nsRule = (owner: string, target: string, what: string): Verdict => {
    if (cnames.has(target)) return invalid('NSTargetIsCNAME', `${what} "${target}." is a CNAME; named refuses an NS that points at a CNAME ("is a CNAME (illegal)"); point it at the host's own name`);
    const inZone = target === zone || target.endsWith(`.${zone}`);
    if (owner === zone && inZone && !addresses.has(target)) {
      return invalid('NSTargetWithoutAddress', `${what} "${target}." is inside the zone but has no A/AAAA record; named refuses the zone ("has no address records"); add an address record for it`);
    }
    if (owner !== zone && (target === owner || target.endsWith(`.${owner}`)) && !addresses.has(target)) {
      return invalid('MissingGlue', `${what} "${target}." lies below the delegation "${owner}." but has no A/AAAA (glue) record; named refuses the zone ("has no REQUIRED GLUE"); add one`);
    }
    return OK;
  };
  const rejected = new Map<string, Verdict>();
  for (const r of records) {
    const target = r.type === 'NS' ? targetOf(r) : undefined;
    if (target === undefined) continue;
    const verdict = nsRule(absoluteName(r.name, zone), target, 'NS target');
    if (!verdict.ok) rejected.set(r.source, verdict);
  }
  for (const [source, verdict] of oversizedTxtRRsets(records, zone)) rejected.set(source, verdict);
  const apex = firstFailure(...apexNameServers.map((ns) => nsRule(zone, ns.replace(/\.$/, '').toLowerCase(), 'name server (nameServers/soaRecord.primaryNs)')));
  return { rejected, zone: apex };
}

/** oversizedTxtRRsets leaves out, per owner, the TXT records (latest source first) that would not fit one DNS message. */
function oversizedTxtRRsets(records: readonly ZoneRecord[], zone: string): Map<string, Verdict> {
  const byOwner = new Map<string, ZoneRecord[]>();
  for (const r of records.filter((x) => x.type === 'TXT')) byOwner.set(r.name, [...(byOwner.get(r.name) ?? []), r]);
  const out = new Map<string, Verdict>();
  for (const [owner, group] of byOwner) {
    let total = 0;
    for (const r of [...group].sort((a, b) => a.source.localeCompare(b.source))) {
      // Each answer RR: compressed owner (2) + type, class, TTL, length (10) + RDATA.
      total += 12 + txtOctets(r.rdata);
      if (total > MAX_RRSET_OCTETS) {
        out.set(r.source, invalid('TXTRRsetTooLarge', `the TXT records at "${absoluteName(owner, zone)}." together exceed one DNS message (${MAX_RRSET_OCTETS} octets for the answer), so no client could receive them; this one is left out — shorten or merge them`));
      }
    }
  }
  return out;
}

/** checkSoa judges the SOA fields a DNSZone sets, as named reads them (MNAME is a host name; RNAME labels ≤ 63). */
export function checkSoa(primaryNs: string, adminEmail: string): Verdict {
  const at = adminEmail.lastIndexOf('@');
  const local = at < 0 ? '' : adminEmail.slice(0, at);
  if (Buffer.byteLength(local, 'utf8') > MAX_LABEL_OCTETS) {
    return invalid('InvalidAdminEmail', `soaRecord.adminEmail "${adminEmail}": the part before "@" is ${Buffer.byteLength(local, 'utf8')} octets; the SOA RNAME holds it as one label of at most ${MAX_LABEL_OCTETS} ("label too long"); use a shorter mailbox`);
  }
  return firstFailure(
    checkNameLimits(primaryNs, 'soaRecord.primaryNs'),
    checkHostName(primaryNs, 'soaRecord.primaryNs', false),
    relabel(checkNameLimits(adminMailbox(adminEmail), 'soaRecord.adminEmail as SOA RNAME'), 'InvalidAdminEmail'),
  );
}

function relabel(v: Verdict, reason: string): Verdict {
  return v.ok ? v : invalid(reason, v.message);
}
