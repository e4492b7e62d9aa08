import type { DNSZone } from '../crds/types.js';
import { buildZone, type BuiltZone } from '../dns/build.js';
import { contentHash } from '../dns/zone.js';
import { objectKey } from '../kube/objects.js';
import type { RecordIndex } from './record-index.js';
import type { ZoneIndex } from './zone-index.js';

/** ZoneBuild is a zone validated and rendered from its records, with its content hash. */
export interface ZoneBuild {
  readonly built: BuiltZone;
  readonly hash: string;
}

/**
 * ZoneBuilds keeps each zone's last build until the zone's spec, one of its records' spec or
 * labels, or another zone changes. A record's verdict comes from its whole zone's build (CNAME
 * conflicts, MultipleZones): without this, each of a 10,000-record zone's records rebuilt all
 * 10,000 — 10^8 record checks, minutes of one core, while status writes alone change nothing.
 */
export class ZoneBuilds {
  private readonly builds = new Map<string, { readonly version: string; readonly build: ZoneBuild }>();

  constructor(
    private readonly records: RecordIndex,
    private readonly zones: ZoneIndex,
  ) {}

  of(zone: DNSZone): ZoneBuild {
    const key = objectKey(zone);
    const version = `${zone.metadata.uid}/${zone.metadata.generation}/${zone.metadata.deletionTimestamp ?? ''}/${this.records.versionOf(zone)}/${this.zones.version}`;
    const cached = this.builds.get(key);
    if (cached?.version === version) return cached.build;
    const candidates = this.records.candidates(zone);
    const built = buildZone(zone, candidates, this.zones.rivals(candidates));
    const build = { built, hash: contentHash(built.data) };
    this.builds.set(key, { version, build });
    return build;
  }

  /** forget drops a deleted zone's build. */
  forget(key: string): void {
    this.builds.delete(key);
  }
}
