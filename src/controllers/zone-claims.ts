/**
 * Who may serve a zoneName where. BIND serves a name once per server, so a zone name conflicts
 * only between DNSZones whose target Bind9Instances intersect; a DNSZone that selects no
 * instance claims nothing. Among intersecting claimants the oldest (creationTimestamp, then
 * namespace/name, as upstream Bindy's check_for_duplicate_zones) wins, and a claim is judged
 * only against claims already granted, so a younger or refused claim can never take anything
 * from the owner. On a ClusterBind9Provider's instances (shared by every namespace that names it
 * in clusterRef) the provider's ZONE_POLICY_ANNOTATION, when present, says which namespaces may
 * serve which zone names; upstream Bindy defines no such model, so this annotation is Bindy-TS's
 * (annotations, not spec fields: SPEC §6).
 */
import type { Bind9Instance, DNSZone } from '../crds/types.js';
import { normalizeZoneName } from '../dns/names.js';
import type { Caches } from './caches.js';
import { zoneInstances } from './selection.js';

/** ZONE_POLICY_ANNOTATION on a ClusterBind9Provider: JSON `{"<namespace>": ["<zone-name suffix>", …]}`. */
export const ZONE_POLICY_ANNOTATION = 'bindy.firestoned.io/allowed-zones';

/** ClaimVerdict says whether a DNSZone may serve its zoneName on its instances, and if not, why. */
export type ClaimVerdict =
  | { readonly granted: true; readonly instances: readonly Bind9Instance[] }
  | { readonly granted: false; readonly reason: 'NoInstances' | 'DuplicateZone' | 'ZoneNotAllowed'; readonly message: string; readonly instances: readonly Bind9Instance[] };

/** With the zone index, a claim reads only the zones of its own name; without it (the index's own judging), every zone once. */
type ClaimCaches = Pick<Caches, 'zones' | 'instances' | 'providers'> & Partial<Pick<Caches, 'zoneIndex'>>;

const key = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const age = (z: DNSZone) => `${z.metadata.creationTimestamp ?? ''}\u0000${key(z)}`;

/** claimOrder sorts claimants oldest first; ties go to the lexically first namespace/name. */
export function claimOrder(zones: readonly DNSZone[]): DNSZone[] {
  return [...zones].sort((a, b) => (age(a) < age(b) ? -1 : age(a) > age(b) ? 1 : 0));
}

/**
 * ZoneClaims judges claims from one snapshot of the caches; verdicts are computed once per
 * zoneName, so judging every zone costs one pass over the zones.
 */
export class ZoneClaims {
  private byName: Map<string, DNSZone[]> | undefined;
  private readonly verdicts = new Map<string, ClaimVerdict>();
  private readonly policyActive: boolean;

  constructor(private readonly caches: ClaimCaches) {
    this.policyActive = caches.providers.list().some((p) => p.metadata.annotations?.[ZONE_POLICY_ANNOTATION] !== undefined);
  }

  /** claimants lists every DNSZone (any namespace, deleting ones included) with this zoneName. */
  private claimants(name: string): DNSZone[] {
    if (this.caches.zoneIndex) return this.caches.zoneIndex.named(name);
    if (!this.byName) {
      this.byName = new Map();
      for (const z of this.caches.zones.list()) {
        const zoneName = normalizeZoneName(z.spec.zoneName ?? '');
        this.byName.set(zoneName, [...(this.byName.get(zoneName) ?? []), z]);
      }
    }
    return this.byName.get(name) ?? [];
  }

  /** refused says whether the zone is denied its name (a zone that selects nothing is not refused: it claims nothing). */
  refused(zone: DNSZone): boolean {
    const group = this.claimants(normalizeZoneName(zone.spec.zoneName ?? ''));
    if (group.length <= 1 && !this.policyActive) return false;
    const v = this.verdict(zone);
    return !v.granted && v.reason !== 'NoInstances';
  }

  /**
   * verdict grants or refuses the zone's claim: (1) claimants are every DNSZone with its
   * zoneName, a deleting one included (it holds its servers until its finalizer took the zone
   * out of them); (2) oldest first, a claimant that selects nothing claims nothing, one the
   * provider policy refuses claims nothing, one whose instances meet a granted claim's is a
   * DuplicateZone; (3) the rest are granted their instances.
   */
  verdict(zone: DNSZone): ClaimVerdict {
    const name = normalizeZoneName(zone.spec.zoneName ?? '');
    if (!this.verdicts.has(key(zone))) this.judgeGroup(name, zone);
    return this.verdicts.get(key(zone)) as ClaimVerdict;
  }

  private judgeGroup(name: string, zone: DNSZone): void {
    const group = this.claimants(name).filter((z) => z.metadata.uid !== zone.metadata.uid);
    const held = new Map<string, DNSZone>();
    const judged = claimOrder([...group, zone]).map((z) => {
      const instances = zoneInstances(this.caches, z);
      const v = this.judgeOne(z, name, instances, held);
      if (v.granted) for (const i of instances) held.set(key(i), z);
      return [z, v] as const;
    });
    // A refused claim names the owner of the name on those servers, even one that came later.
    for (const [z, v] of judged) {
      const taken = v.granted ? undefined : v.instances.find((i) => held.has(key(i)));
      const owner = taken ? held.get(key(taken)) : undefined;
      const named = !v.granted && v.reason === 'ZoneNotAllowed' && taken && owner ? { ...v, message: `${v.message}; DNSZone ${key(owner)} serves it on Bind9Instance ${key(taken)}` } : v;
      this.verdicts.set(key(z), named);
    }
  }

  private judgeOne(z: DNSZone, name: string, instances: Bind9Instance[], held: ReadonlyMap<string, DNSZone>): ClaimVerdict {
    if (instances.length === 0) return { granted: false, reason: 'NoInstances', message: 'selects no Bind9Instance, so it claims nothing', instances };
    const denial = this.policyDenial(z, name, instances);
    if (denial) return { granted: false, reason: 'ZoneNotAllowed', message: denial, instances };
    const taken = instances.find((i) => held.has(key(i)));
    if (taken) {
      const owner = held.get(key(taken)) as DNSZone;
      const message = `zone ${name} on Bind9Instance ${key(taken)} is already served by DNSZone ${key(owner)}, created earlier; change zoneName, select other instances, or delete one of them`;
      return { granted: false, reason: 'DuplicateZone', message, instances };
    }
    return { granted: true, instances };
  }

  /** policyDenial names the provider whose ZONE_POLICY_ANNOTATION keeps the zone's namespace off its instances. */
  private policyDenial(z: DNSZone, name: string, instances: readonly Bind9Instance[]): string | undefined {
    if (!this.policyActive) return undefined;
    const ns = z.metadata.namespace ?? '';
    const providers = new Set(instances.map((i) => i.spec.clusterRef).filter((r): r is string => !!r));
    for (const ref of [...providers].sort()) {
      const provider = this.caches.providers.get(ref);
      const raw = provider?.metadata.annotations?.[ZONE_POLICY_ANNOTATION];
      if (!provider || raw === undefined) continue;
      const policy = parseZonePolicy(raw);
      if (typeof policy === 'string') return `ClusterBind9Provider ${ref}'s annotation ${ZONE_POLICY_ANNOTATION} is invalid (${policy}), so no namespace may serve zones on its instances until it is fixed`;
      const suffixes = policy.get(ns) ?? [];
      if (!suffixes.some((s) => s === '' || name === s || name.endsWith(`.${s}`))) {
        const allowed = suffixes.length > 0 ? `only ${suffixes.join(', ')} and their subdomains` : 'no zone names';
        return `namespace ${ns} may not serve ${name} on the instances of ClusterBind9Provider ${ref}: its annotation ${ZONE_POLICY_ANNOTATION} allows ${ns} ${allowed}`;
      }
    }
    return undefined;
  }
}

/**
 * parseZonePolicy reads ZONE_POLICY_ANNOTATION: a JSON object from namespace to a list of zone
 * names, each allowing itself and its subdomains ("." allows every name). Returns the problem
 * as a string when the value is not that shape (the policy then refuses everyone: fail closed).
 */
export function parseZonePolicy(raw: string): Map<string, string[]> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'expected a JSON object from namespace to a list of zone names';
  const policy = new Map<string, string[]>();
  for (const [ns, names] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) return `the value for namespace "${ns}" must be a list of zone names`;
    policy.set(ns, names.map(normalizeZoneName));
  }
  return policy;
}
