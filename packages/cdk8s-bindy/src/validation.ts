/** Small checks shared by the constructs; each throws an Error naming the prop and the value. */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** requireLabel throws unless `value` is a DNS-1123 label (namespaces, service names). */
export function requireLabel(owner: string, prop: string, value: string): void {
  if (!DNS1123_LABEL.test(value)) throw new Error(`${owner}: ${prop} must be a DNS-1123 label, got ${JSON.stringify(value)}`);
}

/** requireSubdomain throws unless `value` is a DNS-1123 subdomain of at most 253 characters. */
export function requireSubdomain(owner: string, prop: string, value: string): void {
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new Error(`${owner}: ${prop} must be a DNS-1123 subdomain, got ${JSON.stringify(value)}`);
  }
}

/** requireInt throws unless `value` is an integer within [min, max]. */
export function requireInt(owner: string, prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${owner}: ${prop} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** QUANTITY is a Kubernetes resource quantity: a number (group 1) and an optional suffix (group 2). */
export const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** requireQuantity throws unless `value` looks like a Kubernetes resource quantity. */
export function requireQuantity(owner: string, prop: string, value: string): void {
  if (!QUANTITY.test(value)) {
    throw new Error(`${owner}: ${prop} must be a resource quantity such as 100m or 128Mi, got ${JSON.stringify(value)}`);
  }
}

/** requireOneOf throws unless `value` is one of `allowed` (props typed as unions can still be any string from JS). */
export function requireOneOf(owner: string, prop: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) throw new Error(`${owner}: ${prop} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

/** requireImageRepository throws unless `value` is an image reference without tag or digest. */
export function requireImageRepository(owner: string, prop: string, value: string): void {
  // [host[:port]/]path with lowercase components, as the OCI distribution spec names repositories.
  const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
  const host = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?';
  if (!new RegExp(`^(?:${host}/)?${component}(?:/${component})*$`).test(value)) {
    throw new Error(`${owner}: ${prop} must be an image repository such as registry.example.com/team/bindy-ts (no tag or digest), got ${JSON.stringify(value)}`);
  }
}

/** requireImageTag throws unless `value` is a pinned tag (not empty, not `latest`). */
export function requireImageTag(owner: string, prop: string, value: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(value) || value === 'latest') {
    throw new Error(`${owner}: ${prop} must pin a version, not latest, got ${JSON.stringify(value)}`);
  }
}
