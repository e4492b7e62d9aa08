import { createHash } from 'node:crypto';
import { intern } from './intern.js';

/**
 * Status fields bindy writes but never reads back are kept in the caches as a digest: status
 * writes only need to know whether the value would change. A DNSZone's status.records lists its
 * records (10 objects for a 10-record zone) and each record's status.zoneRef names its zone: at
 * 10,000 zones × 10 records that was 200,000 objects held by every replica, standbys included.
 *
 * The digest takes the field's place, as a string where the API has an object or a list (the
 * schema lets no one else write a string there): a property added beside it, or one deleted,
 * makes V8 give every cached status a larger layout than the one JSON.parse gave it.
 */
const PREFIX = 'sha256:';

/** canonicalJson serialises with sorted keys and without undefined properties: equal JSON values give equal text. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const fields = value as Record<string, unknown>;
  const keys = Object.keys(fields).filter((k) => fields[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(fields[k])}`).join(',')}}`;
}

/** digestOf is a JSON value's digest, interned: the records of one zone hold the same zoneRef, and so share one string. */
export function digestOf(value: unknown): string {
  return intern(`${PREFIX}${createHash('sha256').update(canonicalJson(value)).digest('base64url')}`);
}

/**
 * digestFields replaces the named status fields of `obj`, a freshly decoded object no one else
 * holds, by their digests, in place, and returns it. Fields that hold a string are left alone.
 */
export function digestFields<T extends { status?: object }>(obj: T, fields: readonly string[]): T {
  const status = obj.status as Record<string, unknown> | undefined;
  if (!status) return obj;
  for (const field of fields) {
    const value = status[field];
    if (value !== null && typeof value === 'object') status[field] = digestOf(value);
  }
  return obj;
}

/**
 * sameAsDigested says whether `value` is what a cached status keeps of `field` as a digest;
 * undefined when the cache keeps no digest of it (compare the values themselves).
 */
export function sameAsDigested(status: Readonly<Record<string, unknown>>, field: string, value: unknown): boolean | undefined {
  const kept = status[field];
  if (typeof kept !== 'string' || !kept.startsWith(PREFIX) || value === null || typeof value !== 'object') return undefined;
  return digestOf(value) === kept;
}
