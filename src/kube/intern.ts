/** One property name at a time passes through here; null prototype: no inherited name is in the way. */
const names: Record<string, 0> = Object.create(null) as Record<string, 0>;

/**
 * intern returns V8's one shared copy of `s` (its string table's entry). JSON.parse gives every
 * string value a fresh copy, so 110,000 cached objects held 110,000 copies each of their
 * apiVersion, namespace, condition reason, zoneRef, zone name…; interned, they share one. The
 * table is weak: a string no cached object refers to any more is collected, so unlike a Map of
 * strings this never grows with objects that were deleted. A property name is interned by the
 * engine, the only way to reach the table from JavaScript: the name comes back from
 * Object.keys of an object that holds it alone (a reused one: about 0.2 µs a call, against
 * 1 µs for a fresh object literal each time). Strings that look like array indices ("12345")
 * are elements, not names, and come back as they were.
 */
export function intern(s: string): string {
  names[s] = 0;
  const name = Object.keys(names)[0];
  delete names[s];
  return name ?? s;
}

/**
 * internStrings interns every string of a decoded JSON value in place and returns it: what a
 * cache keeps of objects that repeat most of their strings (labels, status, references). Each
 * string is replaced by an equal one, so no reader can tell; the objects keep the compact
 * layout JSON.parse gave them, which a copy built key by key would not (measured: copying cost
 * more than interning saved on small objects). Frozen objects are left as they are.
 */
export function internStrings<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  const fields = value as Record<string, unknown>;
  for (const k of Object.keys(fields)) {
    const v = fields[k];
    if (typeof v === 'string') fields[k] = intern(v);
    else if (typeof v === 'object') internStrings(v);
  }
  return value;
}
