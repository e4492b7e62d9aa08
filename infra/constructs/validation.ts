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

/** requireQuantity throws unless `value` looks like a Kubernetes resource quantity. */
export function requireQuantity(owner: string, prop: string, value: string): void {
  if (!/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.test(value)) {
    throw new Error(`${owner}: ${prop} must be a resource quantity such as 100m or 128Mi, got ${JSON.stringify(value)}`);
  }
}
