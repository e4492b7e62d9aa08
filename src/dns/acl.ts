/**
 * acl.ts validates the elements of a Bind9Instance address-match list (allowQuery,
 * allowTransfer) before they are written into named.conf. Pure. Bindy-TS defines no named ACLs
 * and no TSIG keys, so only the built-in keywords and literal addresses/prefixes can mean
 * anything to named; anything else would stop named at start ("undefined ACL 'foo'").
 */
import { isIPv4, isIPv6 } from 'node:net';
import { invalid, OK, type Verdict } from './names.js';

const KEYWORDS = ['any', 'none', 'localhost', 'localnets'];

/** checkAclElement accepts `[!]keyword`, `[!]address` or `[!]network/prefix` with no host bits set. */
export function checkAclElement(element: string, field: string): Verdict {
  const bare = element.startsWith('!') ? element.slice(1) : element;
  if (KEYWORDS.includes(bare)) return OK;
  const [address = '', prefix, ...rest] = bare.split('/');
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
  const what = `${field} element ${JSON.stringify(element)}`;
  if (family === 0 || rest.length > 0) {
    return invalid('InvalidConfig', `${what} is not an address, a network/prefix or one of ${KEYWORDS.join(', ')} (optionally negated with "!"); named ACL names and keys are not supported`);
  }
  if (prefix === undefined) return OK;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return invalid('InvalidConfig', `${what} has prefix length "${prefix}"; it must be 0-${max}`);
  if (hasHostBits(address, family, Number(prefix))) return invalid('InvalidConfig', `${what} has bits set beyond /${prefix} (named: "address/prefix length mismatch"); write the network address`);
  return OK;
}

/** checkAcl checks every element of one address-match list; an empty list is refused (named needs at least one). */
export function checkAcl(elements: readonly unknown[] | undefined, field: string): Verdict {
  if (elements === undefined) return OK;
  if (elements.length === 0) return invalid('InvalidConfig', `${field} is empty; use ["none"] to allow nobody`);
  for (const e of elements) {
    const v = typeof e === 'string' ? checkAclElement(e, field) : invalid('InvalidConfig', `${field} element ${JSON.stringify(e)} is not a string`);
    if (!v.ok) return v;
  }
  return OK;
}

function hasHostBits(address: string, family: 4 | 6, prefix: number): boolean {
  const bytes = family === 4 ? address.split('.').map(Number) : ipv6Bytes(address);
  return bytes.some((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return (byte & (0xff >> keep)) !== 0;
  });
}

/** ipv6Bytes expands any RFC 4291 text form (validated by isIPv6 first) into its 16 octets. */
function ipv6Bytes(address: string): number[] {
  const groupsOf = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          // An embedded IPv4 tail (::ffff:192.0.2.1) is the last two groups.
          const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = address.split('::');
  const h = groupsOf(head);
  const t = tail === undefined ? [] : groupsOf(tail);
  const groups = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return groups.flatMap((g) => [(g >> 8) & 0xff, g & 0xff]);
}
