/**
 * intern returns V8's one shared copy of `s` (its string table's entry). JSON.parse gives every
 * string value a fresh copy, so 110,000 cached objects held 110,000 copies each of their
 * apiVersion, namespace, condition reason, zoneRef, zone name…; interned, they share one. The
 * table is weak: a string no cached object refers to any more is collected, so unlike a Map of
 * strings this never grows with objects that were deleted. A computed property key is interned
 * by the engine, which is the only way to reach the table from JavaScript; strings that look like
 * array indices ("12345") are not property names and come back as they were.
 */
export function intern(s: string): string {
  for (const key in { [s]: 0 }) return key;
  return s;
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
