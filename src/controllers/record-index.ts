import type { DNSZone, DnsRecord, RecordKind } from '../crds/types.js';
import type { InformerEventType, InformerHandler } from '../kube/informer.js';
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
 * RecordIndex keeps the records of each zone at hand, updated from the informers' events, so a
 * zone or record reconcile costs the size of its zone rather than a scan of every record of
 * every kind (1,000 zones × 10 records made each pass over all zones quadratic).
 * Records with a zoneRef are grouped by it; the rest can only attach by a zone's
 * recordSelector, so they are kept per namespace for the selector to judge.
 */
export class RecordIndex {
  private readonly groupOf = new Map<string, string>();
  private readonly groups = new Map<string, Group>();

  constructor(informers: ReadonlyMap<RecordKind, RecordSource>) {
    for (const [kind, informer] of informers) informer.on((type, record) => this.apply(kind, type, record));
  }

  /** candidates returns the records that may attach to `zone` (buildZone still applies `attaches`). */
  candidates(zone: DNSZone): DnsRecord[] {
    return this.entries(zone).map((e) => e.record);
  }

  /** entries is candidates with each record's kind, for enqueueing them. */
  entries(zone: DNSZone): IndexedRecord[] {
    const ns = zone.metadata.namespace ?? '';
    return [...(this.groups.get(byRef(ns, zone.metadata.name))?.values() ?? []), ...(this.groups.get(bySelector(ns))?.values() ?? [])];
  }

  private apply(kind: RecordKind, type: InformerEventType, record: DnsRecord): void {
    const key = `${kind}/${objectKey(record)}`;
    const previous = this.groupOf.get(key);
    if (previous !== undefined) this.groups.get(previous)?.delete(key);
    this.groupOf.delete(key);
    if (type === 'DELETED') return;
    const ns = record.metadata.namespace ?? '';
    const group = record.spec.zoneRef ? byRef(ns, record.spec.zoneRef) : bySelector(ns);
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = new Map()));
    members.set(key, { kind, record });
    this.groupOf.set(key, group);
  }
}

function byRef(ns: string, zone: string): string {
  return `ref:${ns}/${zone}`;
}

function bySelector(ns: string): string {
  return `selector:${ns}`;
}
