import type { DNSZone, DnsRecord } from '../crds/types.js';
import { buildZone, recordSource, type BuiltZone } from '../dns/build.js';
import { contentHash } from '../dns/zone.js';
import { objectKey } from '../kube/objects.js';
import type { RecordIndex } from './record-index.js';
import type { ZoneIndex } from './zone-index.js';

/** RECORD_STALE_MS bounds how old a build may be to judge a record with (forRecord). */
const RECORD_STALE_MS = 2_000;

interface Entry {
  readonly version: string;
  readonly zoneVersion: string;
  readonly at: number;
  /** The generation of each record the build judged, by recordSource. */
  readonly generations: ReadonlyMap<string, number | undefined>;
  readonly build: ZoneBuild;
}

/** ZoneBuild is a zone validated and rendered from its records, with its content hash. */
export interface ZoneBuild {
  readonly built: BuiltZone;
  readonly hash: string;
  /**
   * The records it serves (valid ones), sorted by recordSource: the zone's status lists them in
   * this order on every reconcile, so it is sorted once per build rather than once per reconcile.
   */
  readonly served: readonly DnsRecord[];
}

/**
 * ZoneBuilds keeps each zone's last build until the zone's spec, one of its records' spec or
 * labels, another zone, or the name-server addresses generated for it (withNameServers) change.
 * A record's verdict comes from its whole zone's build (CNAME conflicts, MultipleZones): without
 * this, each of a 10,000-record zone's records rebuilt all 10,000 — 10^8 record checks, minutes
 * of one core, while status writes alone change nothing.
 */
export class ZoneBuilds {
  private readonly builds = new Map<string, Entry>();

  constructor(
    private readonly records: RecordIndex,
    private readonly zones: ZoneIndex,
    /** The zone as it is built: with upstream's generated name-server addresses when it names none. */
    private readonly withNameServers: (zone: DNSZone) => DNSZone = (zone) => zone,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** of is the zone built from exactly its current records (what is rendered and pushed). */
  of(zone: DNSZone): ZoneBuild {
    return this.build(zone, this.withNameServers(zone));
  }

  private build(zone: DNSZone, source: DNSZone): ZoneBuild {
    const key = objectKey(zone);
    const zoneVersion = this.zoneVersion(zone, source);
    const version = `${zoneVersion}/${this.records.versionOf(zone)}`;
    const cached = this.builds.get(key);
    if (cached?.version === version) return cached.build;
    const candidates = this.records.candidates(zone);
    const built = buildZone(source, candidates, this.zones.rivals(candidates));
    const served = built.records
      .map((r) => [recordSource(r), r] as const)
      .filter(([source]) => built.verdicts.get(source)?.ok)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, r]) => r);
    const build = { built, hash: contentHash(built.data), served };
    this.builds.set(key, { version, zoneVersion, at: this.now(), generations: new Map(built.records.map((r) => [recordSource(r), r.metadata.generation])), build });
    return build;
  }

  /**
   * forRecord is a build that judged `record` as it is now, at most RECORD_STALE_MS old: while
   * records stream into a zone, siblings added since may be missing from it. That is enough for
   * the record's own verdict between pushes — each push builds exactly (`of`), and the zone's
   * records are re-judged against that build once it is served — and it spares rebuilding a
   * 10,000-record zone for every record judged during an import.
   */
  forRecord(zone: DNSZone, record: DnsRecord): ZoneBuild {
    const source = this.withNameServers(zone);
    const cached = this.builds.get(objectKey(zone));
    const fresh = cached && cached.zoneVersion === this.zoneVersion(zone, source) && this.now() - cached.at < RECORD_STALE_MS;
    if (fresh && cached.generations.has(recordSource(record)) && cached.generations.get(recordSource(record)) === record.metadata.generation) return cached.build;
    return this.build(zone, source);
  }

  private zoneVersion(zone: DNSZone, source: DNSZone): string {
    // Generated name-server addresses follow the instances' pods, which the zone's generation does not count.
    const generated = source === zone ? '' : JSON.stringify(source.spec.nameServerIps);
    return `${zone.metadata.uid}/${zone.metadata.generation}/${zone.metadata.deletionTimestamp ?? ''}/${this.zones.version}/${generated}`;
  }

  /** forget drops a deleted zone's build. */
  forget(key: string): void {
    this.builds.delete(key);
  }
}
