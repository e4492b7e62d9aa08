/**
 * Regular expressions the operator checks user input with (`new RegExp(PATTERNS.x)`), written
 * for both RE2 and JavaScript. Upstream's schema leaves these fields free, so a bad value is
 * reported in status instead of being refused by the apiserver.
 */

/** PATTERNS are anchored source strings. */
export const PATTERNS = {
  /**
   * Element of a BIND address match list: optional `!`, then an ACL name, address or CIDR.
   * Excludes `;`, `{`, `}`, quotes and spaces, so a value cannot inject named.conf syntax.
   */
  addressMatchElement: '^!?[A-Za-z0-9][A-Za-z0-9._:/-]*$',
} as const;
