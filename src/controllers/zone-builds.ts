import type { DNSZone, DnsRecord } from '../crds/types.js';
import { buildZone, recordSource } from '../dns/build.js';
import { OK, type Verdict } from '../dns/names.js';
import { contentHash, zoneText, type ZoneText } from '../dns/zone.js';
import { objectKey } from '../kube/objects.js';
import type { RecordIndex } from './record-index.js';
import type { ZoneIndex } from './zone-index.js';

/** RECORD_STALE_MS bounds how old a build may be to judge a record with (forRecord). */
const RECORD_STALE_MS = 2_000;

interface Entry {
  readonly zoneVersion: string;
  readonly recordsVersion: string;
  /** The zone index's version the build was last known good at. */
  zonesVersion: number;
  /** The other zones that may select its records (rivalsKey): the only zones a build depends on. */
  readonly rivals: string;
  readonly build: ZoneBuild;
  /**
   * The zone file the build renders, until every pod serves it (settle): what a push sends. A
   * leader holding 10,000 served zones kept 10,000 zone files it would only send again to a new
   * pod; textOf renders one again from the same records when that happens.
   */
  text: ZoneText | undefined;
}

/** Recent is what forRecord needs of a build while it is young: the generation of each record it judged, by recordSource. */
interface Recent {
  readonly at: number;
  readonly zoneVersion: string;
  readonly zonesVersion: number;
  readonly generations: ReadonlyMap<string, number | undefined>;
  readonly build: ZoneBuild;
}

/** Refusal is the verdict on a record (or glue) a build leaves out. */
export type Refusal = Extract<Verdict, { ok: false }>;

const NONE_REFUSED: ReadonlyMap<string, Refusal> = new Map();

/**
 * ZoneBuild is a zone validated and rendered from its records, with its content hash. It holds
 * what was derived from the records, never the record objects: a build outlives the status
 * writes that replace every record in the cache, and kept them all a second time on the leader.
 * A leader keeps one per zone, so it keeps strings it shares with the caches (recordSource is
 * interned) rather than an object per record.
 */
export interface ZoneBuild {
  readonly zoneVerdict: Verdict;
  /** Name-server addresses left out because they are outside the zone (not glue), by field. */
  readonly skippedGlue: readonly string[];
  /** Why each record (or glue) it leaves out is refused, by recordSource. */
  readonly refused: ReadonlyMap<string, Refusal>;
  /**
   * The records it serves, by recordSource, sorted: the zone's status lists them in this order
   * on every reconcile, so it is sorted once per build rather than once per reconcile.
   */
  readonly served: readonly string[];
  /** Each served record's spec.name, in `served`'s order (the caches' own strings). */
  readonly servedNames: readonly string[];
  /** The content hash of the zone file it renders (contentHash): what status.contentHash compares. */
  readonly hash: string;
}

/** verdictOf is a build's verdict on one record: refused, served, or undefined when the build did not judge it (not attached). */
export function verdictOf(build: ZoneBuild, source: string): Verdict | undefined {
  const refusal = build.refused.get(source);
  if (refusal) return refusal;
  let lo = 0;
  let hi = build.served.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const order = build.served[mid]!.localeCompare(source);
    if (order === 0) return OK;
    if (order < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** rivalsKey names the other zones a build judged MultipleZones against, as they were. */
function rivalsKey(zone: DNSZone, rivals: readonly DNSZone[]): string {
  return rivals
    .filter((z) => z.metadata.uid !== zone.metadata.uid)
    .map((z) => `${z.metadata.uid}/${z.metadata.generation}/${z.metadata.deletionTimestamp ?? ''}`)
    .join(',');
}

/**
 * ZoneBuilds keeps each zone's last build until the zone's spec, one of its records' spec or
 * labels, another zone that may select those records, or the name-server addresses generated for it (withNameServers) change.
 * A record's verdict comes from its whole zone's build (CNAME conflicts, MultipleZones): without
 * this, each of a 10,000-record zone's records rebuilt all 10,000 — 10^8 record checks, minutes
 * of one core, while status writes alone change nothing.
 */
export class ZoneBuilds {
  private readonly builds = new Map<string, Entry>();
  /** Builds younger than RECORD_STALE_MS, oldest first (forRecord); older ones are dropped as new ones come, or soon after the last. */
  private readonly recent = new Map<string, Recent>();
  private pruneTimer: NodeJS.Timeout | undefined;

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
    const recordsVersion = this.records.versionOf(zone);
    const zonesVersion = this.zones.version;
    const cached = this.builds.get(key);
    const same = cached?.zoneVersion === zoneVersion && cached.recordsVersion === recordsVersion;
    if (same && cached.zonesVersion === zonesVersion) return cached.build;
    const { candidates, rivals } = this.inputs(zone);
    const rivalsNow = rivalsKey(zone, rivals);
    // Another zone appeared or changed: the build stands unless the zones that may select its
    // records did (an import of 1,000 zones otherwise rebuilt every zone after each new one).
    if (same && cached.rivals === rivalsNow) {
      cached.zonesVersion = zonesVersion;
      return cached.build;
    }
    const { records, data, verdicts, zoneVerdict, skippedGlue } = buildZone(source, candidates, rivals);
    const sourced = records.map((r) => [recordSource(r), r] as const);
    const kept = sourced.filter(([source]) => verdicts.get(source)?.ok).sort(([a], [b]) => a.localeCompare(b));
    const refusals = [...verdicts].filter((entry): entry is [string, Refusal] => !entry[1].ok);
    const text = zoneText(data);
    const build: ZoneBuild = { zoneVerdict, skippedGlue, refused: refusals.length > 0 ? new Map(refusals) : NONE_REFUSED, served: kept.map(([source]) => source), servedNames: kept.map(([, r]) => r.spec.name), hash: contentHash(text) };
    this.builds.set(key, { zoneVersion, recordsVersion, zonesVersion, rivals: rivalsNow, build, text });
    this.remember(key, { at: this.now(), zoneVersion, zonesVersion, generations: new Map(sourced.map(([source, r]) => [source, r.metadata.generation])), build });
    return build;
  }

  /**
   * textOf is the zone file `build` renders, but for the serial. Ask in the same tick `of`
   * returned the build: once settled, the text is rendered again from the records as the caches
   * hold them now, which is only the build's content while no event came in between.
   */
  textOf(zone: DNSZone, build: ZoneBuild): ZoneText {
    const entry = this.builds.get(objectKey(zone));
    if (entry?.build !== build) throw new Error(`zone build of ${objectKey(zone)} was replaced before its text was read`);
    if (entry.text) return entry.text;
    const { candidates, rivals } = this.inputs(zone);
    const text = zoneText(buildZone(this.withNameServers(zone), candidates, rivals).data);
    if (contentHash(text) !== build.hash) throw new Error(`zone ${objectKey(zone)} rendered again differs from its build`);
    entry.text = text;
    return text;
  }

  /** inputs are the records a zone is built from and the zones that may claim them too: a build and its text rendered again read the same. */
  private inputs(zone: DNSZone): { candidates: DnsRecord[]; rivals: DNSZone[] } {
    const candidates = this.records.candidates(zone);
    return { candidates, rivals: this.zones.rivals(candidates) };
  }

  /** settle drops the text of `build` once every pod serves it; a later push renders it again (textOf). */
  settle(zone: DNSZone, build: ZoneBuild): void {
    const entry = this.builds.get(objectKey(zone));
    if (entry?.build === build) entry.text = undefined;
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
    this.prune();
    const young = this.recent.get(objectKey(zone));
    const judged = recordSource(record);
    if (young && young.zoneVersion === this.zoneVersion(zone, source) && young.zonesVersion === this.zones.version && young.generations.has(judged) && young.generations.get(judged) === record.metadata.generation) return young.build;
    return this.build(zone, source);
  }

  private zoneVersion(zone: DNSZone, source: DNSZone): string {
    // Generated name-server addresses follow the instances' pods, which the zone's generation does not count.
    const generated = source === zone ? '' : JSON.stringify(source.spec.nameServerIps);
    return `${zone.metadata.uid}/${zone.metadata.generation}/${zone.metadata.deletionTimestamp ?? ''}/${generated}`;
  }

  /** remember keeps a new build among the recent ones (last in the map's order), after dropping the stale ones. */
  private remember(key: string, recent: Recent): void {
    this.recent.delete(key);
    this.recent.set(key, recent);
    this.prune();
    this.schedulePrune();
  }

  /** schedulePrune: once builds stop coming (an import is over), the last ones' generations go too. */
  private schedulePrune(): void {
    this.pruneTimer ??= setTimeout(() => {
      this.pruneTimer = undefined;
      this.prune();
      if (this.recent.size > 0) this.schedulePrune();
    }, RECORD_STALE_MS).unref();
  }

  private prune(): void {
    const now = this.now();
    for (const [key, { at }] of this.recent) {
      if (now - at < RECORD_STALE_MS) return;
      this.recent.delete(key);
    }
  }

  /** forget drops a deleted zone's build. */
  forget(key: string): void {
    this.builds.delete(key);
    this.recent.delete(key);
  }
}
