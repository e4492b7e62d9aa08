import type { DNSZone, DnsRecord, RecordKind } from '../crds/types.js';
import type { InformerEventType, InformerHandler } from '../kube/informer.js';
import { intern } from '../kube/intern.js';
import { objectKey } from '../kube/objects.js';

/** RecordSource is what the index needs of a record informer. */
export interface RecordSource {
  on(handler: InformerHandler<DnsRecord>): void;
}

/** IndexedRecord is a record with the kind it was listed as (list items may omit `kind`). */
export interface IndexedRecord {
  readonly kind: RecordKind;
  readonly record: DnsRecord;
}

type Group = Map<string, IndexedRecord>;

/**
 * RecordIndex keeps the records of each namespace at hand, and of each label (key=value) within
 * it, updated from the informers' events. Records join zones only through a zone's recordsFrom
 * selectors (upstream has no per-record zone reference); a selector with matchLabels only needs
 * the records carrying one of its labels, so a zone reconcile costs the size of its zone rather
 * than of its namespace (1,000 zones × 10 records in one namespace made each pass quadratic).
 */
export class RecordIndex {
  private readonly groups = new Map<string, Group>();
  /** Per group, a number that changes whenever a member's spec, labels or deletion changes (not its status). */
  private readonly versions = new Map<string, number>();
  private counter = 0;

  constructor(informers: ReadonlyMap<RecordKind, RecordSource>) {
    for (const [kind, informer] of informers) informer.on((type, record) => this.apply(kind, type, record));
  }

  /** candidates returns the records that may attach to `zone` (buildZone still applies `attaches`). */
  candidates(zone: DNSZone): DnsRecord[] {
    return this.entries(zone).map((e) => e.record);
  }

  /**
   * versionOf changes whenever a record that may attach to `zone` appears, goes, or changes its
   * spec or labels; status writes leave it alone. A zone built at one version is still valid.
   */
  versionOf(zone: DNSZone): string {
    const ns = zone.metadata.namespace ?? '';
    return (zone.spec.recordsFrom ?? []).map((source) => {
      const first = Object.entries(source.selector?.matchLabels ?? {})[0];
      return this.versions.get(first ? byLabel(ns, first[0], first[1]) : byNamespace(ns)) ?? 0;
    }).join(',');
  }

  /** entries is candidates with each record's kind, for enqueueing them. */
  entries(zone: DNSZone): IndexedRecord[] {
    const ns = zone.metadata.namespace ?? '';
    const out = new Map<string, IndexedRecord>();
    for (const source of zone.spec.recordsFrom ?? []) {
      const first = Object.entries(source.selector?.matchLabels ?? {})[0];
      const group = first ? byLabel(ns, first[0], first[1]) : byNamespace(ns);
      for (const [key, entry] of this.groups.get(group) ?? []) out.set(key, entry);
    }
    return [...out.values()];
  }

  private apply(kind: RecordKind, type: InformerEventType, record: DnsRecord): void {
    // Interned: one copy shared with the builds, which key their verdicts by the same recordSource (build.ts).
    const key = intern(`${kind}/${objectKey(record)}`);
    const ns = record.metadata.namespace ?? '';
    // The version indexed before this event, and the groups it is in, follow from the record
    // itself (every record is in its namespace's group): nothing is kept per record but the
    // entries, which cost more than the record itself when shapes and group lists were kept too.
    const previous = this.groups.get(byNamespace(ns))?.get(key)?.record;
    const previousGroups = previous ? groupsOf(previous) : [];
    const reshaped = type === 'DELETED' || !previous || shapeOf(previous) !== shapeOf(record);
    if (reshaped) for (const group of previousGroups) this.versions.set(group, ++this.counter);
    for (const group of previousGroups) this.groups.get(group)?.delete(key);
    if (type === 'DELETED') return;
    const entry: IndexedRecord = { kind, record };
    for (const group of groupsOf(record)) {
      let members = this.groups.get(group);
      if (!members) this.groups.set(group, (members = new Map()));
      members.set(key, entry);
      if (reshaped) this.versions.set(group, ++this.counter);
    }
  }
}

/** groupsOf names the groups a record is in: its namespace's and one per label. */
function groupsOf(record: DnsRecord): string[] {
  const ns = record.metadata.namespace ?? '';
  return [byNamespace(ns), ...Object.entries(record.metadata.labels ?? {}).map(([k, v]) => byLabel(ns, k, v))];
}

/** shapeOf is what a record's zones are built from, besides its spec (generation): not its status. */
function shapeOf(record: DnsRecord): string {
  return `${record.metadata.generation}/${record.metadata.deletionTimestamp ?? ''}/${JSON.stringify(record.metadata.labels ?? {})}/${record.metadata.uid}`;
}

function byNamespace(ns: string): string {
  return `ns:${ns}`;
}

function byLabel(ns: string, key: string, value: string): string {
  return `label:${ns}\u0000${key}\u0000${value}`;
}
