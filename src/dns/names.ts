import { isIPv4, isIPv6 } from 'node:net';

/**
 * Verdict is the outcome of checking one piece of user input: either fine, or a reason (a
 * CamelCase word for status conditions) and a message that tells the user what to change.
 */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly message: string };

export const OK: Verdict = { ok: true };

export function invalid(reason: string, message: string): Verdict {
  return { ok: false, reason, message };
}

// Letters, digits and hyphens (RFC 1123) plus underscore, which SRV/TXT owner names
// (_sip._tcp, _dmarc) need; a label may not start or end with a hyphen.
const LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

/** checkDomainName accepts an absolute or relative DNS name (trailing dot optional), ≤ 253 chars. */
export function checkDomainName(name: string, what: string): Verdict {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length === 0) return invalid('InvalidName', `${what} is empty; give a DNS name such as "www"`);
  if (bare.length > 253) return invalid('InvalidName', `${what} "${name}" is ${bare.length} characters; a DNS name may have at most 253`);
  for (const label of bare.split('.')) {
    if (label === '*' && bare.startsWith('*')) continue;
    if (!LABEL.test(label)) {
      return invalid(
        'InvalidName',
        `${what} "${name}" has the label "${label}"; labels are 1-63 letters, digits, "-" or "_", not starting or ending with "-"`,
      );
    }
  }
  return OK;
}

/** normalizeZoneName lower-cases a zone name and strips its trailing dot, so "Example.COM." = "example.com". */
export function normalizeZoneName(zoneName: string): string {
  return zoneName.toLowerCase().replace(/\.$/, '');
}

/** checkZoneName requires at least one label and no wildcard. */
export function checkZoneName(zoneName: string): Verdict {
  const verdict = checkDomainName(zoneName, 'zoneName');
  if (!verdict.ok) return verdict;
  if (zoneName.includes('*')) return invalid('InvalidZoneName', `zoneName "${zoneName}" may not contain "*"`);
  return OK;
}

/**
 * ownerName turns a record's `name` ("@", "www", or an absolute "www.example.com.") into the
 * name relative to the zone ("@" for the apex), or a verdict when the name lies outside the zone.
 */
export function ownerName(name: string, zoneName: string): { readonly relative: string } | Verdict {
  const zone = normalizeZoneName(zoneName);
  if (name === '@' || name === '') return { relative: '@' };
  const verdict = checkDomainName(name, 'name');
  if (!verdict.ok) return verdict;
  if (!name.endsWith('.')) return { relative: name.toLowerCase() };
  const absolute = name.slice(0, -1).toLowerCase();
  if (absolute === zone) return { relative: '@' };
  if (absolute.endsWith(`.${zone}`)) return { relative: absolute.slice(0, -(zone.length + 1)) };
  return invalid(
    'OutsideZone',
    `name "${name}" is outside zone "${zone}"; use a name relative to the zone (e.g. "www") or one ending in ".${zone}."`,
  );
}

/** checkIPv4 accepts dotted-quad IPv4 only (no leading zeros, no shorthand). */
export function checkIPv4(address: string): Verdict {
  if (isIPv4(address)) return OK;
  return invalid('InvalidAddress', `ipv4Address "${address}" is not an IPv4 address; write four numbers 0-255 separated by dots, e.g. 192.0.2.10`);
}

/** checkIPv6 accepts any RFC 4291 text form, without a zone id (`%eth0` means nothing in DNS data). */
export function checkIPv6(address: string): Verdict {
  if (isIPv6(address) && !address.includes('%')) return OK;
  return invalid('InvalidAddress', `ipv6Address "${address}" is not an IPv6 address, e.g. 2001:db8::10`);
}

/** checkRange checks an integer field against its wire-format range. */
export function checkRange(value: unknown, field: string, min: number, max: number): Verdict {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return OK;
  return invalid('InvalidValue', `${field} is ${JSON.stringify(value)}; it must be an integer from ${min} to ${max}`);
}

/** fqdn makes a target name absolute: targets in record specs are always fully qualified. */
export function fqdn(name: string): string {
  return name.endsWith('.') ? name.toLowerCase() : `${name.toLowerCase()}.`;
}

/** firstFailure returns the first failing verdict, or OK. */
export function firstFailure(...verdicts: Verdict[]): Verdict {
  return verdicts.find((v) => !v.ok) ?? OK;
}
