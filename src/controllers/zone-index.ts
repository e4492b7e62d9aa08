import type { DNSZone, DnsRecord } from '../crds/types.js';
import { normalizeZoneName } from '../dns/names.js';
import type { InformerEventType, InformerHandler } from '../kube/informer.js';
import { intern } from '../kube/intern.js';
import { objectKey, type KubeObject } from '../kube/objects.js';

/** ZoneSource is what the index needs of the DNSZone informer. */
export interface ZoneSource {
  on(handler: InformerHandler<DNSZone>): void;
  get(key: string): DNSZone | undefined;
  list(): DNSZone[];
}

/**
 * RefusedClaims judges every zone's claim from one snapshot of the caches (zone-claims.ts) and
 * returns whether a zone is refused its zoneName.
 */
export type RefusedClaims = () => (zone: DNSZone) => boolean;

/**
 * ZoneIndex answers the two questions every record and zone reconcile asks — which zones serve
 * their zoneName (those whose claim is not refused, see zone-claims.ts), and which zones may
 * select a given record — without scanning every DNSZone. Zones are grouped by the first matchLabels label of
 * each recordsFrom selector (as RecordIndex groups records), so a record finds its zones through
 * its own labels. With 1,000 zones a scan per record cost more than the record's whole reconcile;
 * with 10,000 it made a bulk import quadratic. Objects are always read fresh from the informer:
 * the index holds keys only, so status read through it is never stale.
 */
export class ZoneIndex {
  private readonly members = new Map<string, Set<string>>();
  private readonly groupsOf = new Map<string, string[]>();
  private readonly shapes = new Map<string, string>();
  private servingKeys: Set<string> | undefined;
  private changes = 0;

  constructor(
    private readonly zones: ZoneSource,
    private readonly refusedClaims: RefusedClaims,
  ) {
    zones.on((type, zone) => this.apply(type, zone));
  }

  /**
   * follow re-judges the claims when an object of `source` appears, goes, or changes its shape:
   * claims also depend on the instances (labels, clusterRef) and the providers (zone policy),
   * whose status writes must not make every zone rebuild.
   */
  follow<T extends KubeObject>(source: { on(handler: InformerHandler<T>): void }, shapeOf: (o: T) => string): void {
    const shapes = new Map<string, string>();
    source.on((type, o) => {
      const key = objectKey(o);
      const shape = type === 'DELETED' ? undefined : shapeOf(o);
      if (type === 'MODIFIED' && shapes.get(key) === shape) return;
      if (shape === undefined) shapes.delete(key);
      else shapes.set(key, shape);
      this.servingKeys = undefined;
      this.changes++;
    });
  }

  /** version changes whenever a zone appears, goes, or changes its name, selectors or deletion state (not its status), or a claim may have changed. */
  get version(): number {
    return this.changes;
  }

  /** serving lists the live zones of a namespace whose claim is not refused. */
  serving(namespace: string): DNSZone[] {
    return this.resolve(this.members.get(byNamespace(namespace)), true);
  }

  /** named lists every DNSZone (any namespace, losers and deleted ones included) claiming `zoneName`. */
  named(zoneName: string): DNSZone[] {
    return this.resolve(this.members.get(byName(normalizeZoneName(zoneName))), false);
  }

  /** selecting lists the serving zones that may select `record` (callers still apply `attaches`). */
  selecting(record: DnsRecord): DNSZone[] {
    return this.resolve(this.candidateKeys(record), true);
  }

  /** selectingAny is `selecting` including zones refused their claim (they reconcile too, to say why). */
  selectingAny(record: DnsRecord): DNSZone[] {
    return this.resolve(this.candidateKeys(record), false);
  }

  /** rivals lists every serving zone that may select one of `records`: what buildZone checks MultipleZones against. */
  rivals(records: readonly DnsRecord[]): DNSZone[] {
    const keys = new Set<string>();
    for (const record of records) for (const key of this.candidateKeys(record)) keys.add(key);
    return this.resolve(keys, true);
  }

  private candidateKeys(record: DnsRecord): Set<string> {
    const ns = record.metadata.namespace ?? '';
    const keys = new Set(this.members.get(byAnyLabels(ns)));
    for (const [k, v] of Object.entries(record.metadata.labels ?? {})) for (const key of this.members.get(byLabel(ns, k, v)) ?? []) keys.add(key);
    return keys;
  }

  private resolve(keys: Iterable<string> | undefined, servingOnly: boolean): DNSZone[] {
    const serving = servingOnly ? this.servingSet() : undefined;
    const out: DNSZone[] = [];
    for (const key of keys ?? []) {
      const zone = this.zones.get(key);
      if (!zone || (serving && !serving.has(key))) continue;
      out.push(zone);
    }
    return out;
  }

  /**
   * servingSet holds the live zones whose claim is not refused (one that selects no instance
   * included: it is not served, but in no one's way); recomputed only after a zone or what
   * claims follow changed.
   */
  private servingSet(): Set<string> {
    if (this.servingKeys) return this.servingKeys;
    const refused = this.refusedClaims();
    this.servingKeys = new Set(this.zones.list().filter((z) => !z.metadata.deletionTimestamp && !refused(z)).map(objectKey));
    return this.servingKeys;
  }

  private apply(type: InformerEventType, zone: DNSZone): void {
    const key = objectKey(zone);
    const shape = type === 'DELETED' ? undefined : `${zone.spec.zoneName}/${zone.metadata.deletionTimestamp ?? ''}/${zone.metadata.creationTimestamp}/${zone.metadata.generation}/${JSON.stringify(zone.spec.recordsFrom ?? [])}`;
    if (this.shapes.get(key) !== shape) {
      this.servingKeys = undefined;
      this.changes++;
    }
    for (const group of this.groupsOf.get(key) ?? []) this.members.get(group)?.delete(key);
    this.groupsOf.delete(key);
    if (shape === undefined) {
      this.shapes.delete(key);
      return;
    }
    this.shapes.set(key, shape);
    const ns = zone.metadata.namespace ?? '';
    const groups = [byNamespace(ns), byName(normalizeZoneName(zone.spec.zoneName ?? '')), ...(zone.spec.recordsFrom ?? []).map((source) => {
      const first = Object.entries(source.selector?.matchLabels ?? {})[0];
      return first ? byLabel(ns, first[0], first[1]) : byAnyLabels(ns);
    })].map(intern);
    for (const group of groups) {
      let set = this.members.get(group);
      if (!set) this.members.set(group, (set = new Set()));
      set.add(key);
    }
    this.groupsOf.set(key, groups);
  }
}

function byName(zoneName: string): string {
  return `name:${zoneName}`;
}

function byNamespace(ns: string): string {
  return `ns:${ns}`;
}

/** Zones with a selector that has no matchLabels may select any record of their namespace. */
function byAnyLabels(ns: string): string {
  return `any:${ns}`;
}

function byLabel(ns: string, key: string, value: string): string {
  return `label:${ns}\u0000${key}\u0000${value}`;
}
