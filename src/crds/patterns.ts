/**
 * Regular expressions of the CRD schemas, as source strings. They are written for both RE2
 * (the apiserver's OpenAPI `pattern`) and JavaScript, so the operator can run the same checks
 * (`new RegExp(PATTERNS.x)`) on objects that did not pass through the apiserver.
 * No look-around or back-references: RE2 has neither.
 */

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = `(${OCTET}\\.){3}${OCTET}`;
const H = '[0-9a-fA-F]{1,4}';
const IPV6 = [
  `(${H}:){7}${H}`,
  `(${H}:){1,7}:`,
  `(${H}:){1,6}:${H}`,
  `(${H}:){1,5}(:${H}){1,2}`,
  `(${H}:){1,4}(:${H}){1,3}`,
  `(${H}:){1,3}(:${H}){1,4}`,
  `(${H}:){1,2}(:${H}){1,5}`,
  `${H}:(:${H}){1,6}`,
  `:((:${H}){1,7}|:)`,
  `(${H}:){6}${IPV4}`,
  `::([fF]{4}(:0{1,4})?:)?${IPV4}`,
  `(${H}:){1,4}:${IPV4}`,
].join('|');

/** A lowercase LDH label (RFC 1123). */
const LOWER_LABEL = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
/** A hostname-ish label that also allows `_` (service labels such as `_sip`, `_dmarc`). */
const LABEL = '[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?';
const FQDN = `${LABEL}(\\.${LABEL})*\\.?`;

/** PATTERNS are the anchored source strings used in the CRD schemas. */
export const PATTERNS = {
  /** Dotted-quad IPv4 address without leading zeros. */
  ipv4: `^${IPV4}$`,
  /** IPv6 address in any RFC 4291 text form (no zone id, no prefix length). */
  ipv6: `^(${IPV6})$`,
  /** Zone name: lowercase FQDN without trailing dot. */
  zoneName: `^${LOWER_LABEL}(\\.${LOWER_LABEL})*$`,
  /** A fully qualified host name, trailing dot optional. */
  fqdn: `^${FQDN}$`,
  /** A host name or `.` (null MX / SRV "no service"). */
  fqdnOrRoot: `^(\\.|${FQDN})$`,
  /** SOA RNAME: `user@domain` or the mailbox-as-name form `user.domain`. */
  adminEmail: `^([A-Za-z0-9!#$%&'*+/=?^_\`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_\`{|}~-]+)*@)?${FQDN}$`,
  /** Record owner name relative to the zone: `@`, or labels with an optional leading `*`. */
  recordName: `^(@|(\\*|${LABEL})(\\.${LABEL})*)$`,
  /** metadata.name of an object (DNS-1123 subdomain). */
  objectName: `^${LOWER_LABEL}(\\.${LOWER_LABEL})*$`,
  /**
   * Element of a BIND address match list: optional `!`, then an ACL name, address or CIDR.
   * Excludes `;`, `{`, `}`, quotes and spaces, so a value cannot inject named.conf syntax.
   */
  addressMatchElement: '^!?[A-Za-z0-9][A-Za-z0-9._:/-]*$',
  /** metav1.Condition reason. */
  conditionReason: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
} as const;
