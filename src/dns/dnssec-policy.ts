/**
 * An instance's `config.dnssec.signing` as named's `dnssec-policy` block, as upstream Bindy
 * renders it (one KSK and one ZSK of the given algorithm and lifetimes; NSEC3 when asked,
 * else NSEC), and which DNSZone `dnssecPolicy` names an instance can sign with. Pure.
 */
import type { Bind9Instance, DnssecSigning } from '../crds/types.js';
import { invalid, OK, type Verdict } from './names.js';

/** BUILT_IN_DNSSEC_POLICIES are the policies named 9.18 knows without a block ("none" means unsigned); it refuses to redefine them. */
export const BUILT_IN_DNSSEC_POLICIES = ['none', 'default', 'insecure'] as const;

/** Algorithm mnemonics named 9.18 signs with (dnssec-policy `keys` grammar). */
const ALGORITHMS = ['RSASHA1', 'NSEC3RSASHA1', 'RSASHA256', 'RSASHA512', 'ECDSAP256SHA256', 'ECDSAP384SHA384', 'ED25519', 'ED448'];
/** A dnssec-policy duration: `unlimited`, ISO 8601 (`P1Y`, `PT12H`) or a TTL-style count (`365d`, `90d`, `3600`). */
const DURATION = /^(unlimited|P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?|\d+[smhdwy]?)$/i;
/** named 9.18 refuses more NSEC3 iterations than this in a dnssec-policy. */
const MAX_NSEC3_ITERATIONS = 150;

const DEFAULTS = { algorithm: 'ECDSAP256SHA256', lifetime: 'unlimited', nsec3SaltLength: 16 } as const;

/** signingOf is the instance's signing config when enabled. */
export function signingOf(instance: Bind9Instance): DnssecSigning | undefined {
  const signing = instance.spec.config?.dnssec?.signing;
  return signing?.enabled ? signing : undefined;
}

/** customPolicyName is the policy an enabled signing config defines, or undefined when it names a built-in one (nothing to define). */
export function customPolicyName(signing: DnssecSigning): string | undefined {
  const name = signing.policy ?? 'default';
  return (BUILT_IN_DNSSEC_POLICIES as readonly string[]).includes(name) ? undefined : name;
}

/**
 * checkSigning says what named would refuse in the block a custom policy renders to, naming the
 * field: an unknown algorithm, a malformed lifetime, too many NSEC3 iterations. A built-in policy
 * name renders no block (see builtInTuning).
 */
export function checkSigning(signing: DnssecSigning, field: string): Verdict {
  if (customPolicyName(signing) === undefined) return OK;
  if (signing.algorithm && !ALGORITHMS.includes(signing.algorithm.toUpperCase())) return invalid('InvalidConfig', `${field}.algorithm "${signing.algorithm}" is not one named signs with (${ALGORITHMS.join(', ')})`);
  for (const key of ['kskLifetime', 'zskLifetime'] as const) {
    const value = signing[key];
    if (value && !DURATION.test(value)) return invalid('InvalidConfig', `${field}.${key} "${value}" is not a duration named reads (unlimited, P1Y, 365d, …)`);
  }
  if ((signing.nsec3Iterations ?? 0) > MAX_NSEC3_ITERATIONS) return invalid('InvalidConfig', `${field}.nsec3Iterations ${signing.nsec3Iterations} is over named's limit of ${MAX_NSEC3_ITERATIONS} (0 is recommended)`);
  return OK;
}

/**
 * builtInTuning lists the tuning fields given with a built-in policy name (upstream's default
 * when `policy` is absent). named cannot redefine a built-in policy, so they cannot apply: zones
 * sign with named's own `default`, and the fields are reported, not ignored.
 */
export function builtInTuning(signing: DnssecSigning): Array<'algorithm' | 'kskLifetime' | 'zskLifetime' | 'nsec3' | 'nsec3Iterations'> {
  if (customPolicyName(signing) !== undefined) return [];
  return (['algorithm', 'kskLifetime', 'zskLifetime', 'nsec3', 'nsec3Iterations'] as const).filter((k) => signing[k] !== undefined && signing[k] !== null);
}

/**
 * zonePolicyProblem says why a DNSZone's dnssecPolicy cannot be signed with by its primaries: a
 * name that is not built in must be defined by every primary (its spec.config.dnssec.signing,
 * enabled, with that policy name); undefined when all can sign with it.
 */
export function zonePolicyProblem(policy: string | null | undefined, primaries: readonly Bind9Instance[]): string | undefined {
  if (!policy || (BUILT_IN_DNSSEC_POLICIES as readonly string[]).includes(policy)) return undefined;
  const lacking = primaries.filter((i) => {
    const signing = signingOf(i);
    return !signing || customPolicyName(signing) !== policy;
  });
  if (lacking.length === 0) return undefined;
  const names = lacking.map((i) => `${i.metadata.namespace}/${i.metadata.name}`).join(', ');
  return `spec.dnssecPolicy "${policy}" is neither built into named (${BUILT_IN_DNSSEC_POLICIES.join(', ')}) nor defined by primary instance(s) ${names}; define it there (spec.config.dnssec.signing: enabled, policy "${policy}") or use "default"`;
}

/** renderDnssecPolicy renders the block named.conf needs for a custom policy ('' for a built-in name). */
export function renderDnssecPolicy(signing: DnssecSigning): string {
  const name = customPolicyName(signing);
  if (name === undefined) return '';
  const algorithm = signing.algorithm ?? DEFAULTS.algorithm;
  const nsec3 = signing.nsec3 ? [`  nsec3param iterations ${signing.nsec3Iterations ?? 0} optout no salt-length ${DEFAULTS.nsec3SaltLength};`] : [];
  return [
    `dnssec-policy "${name}" {`,
    '  keys {',
    `    ksk lifetime ${signing.kskLifetime ?? DEFAULTS.lifetime} algorithm ${algorithm};`,
    `    zsk lifetime ${signing.zskLifetime ?? DEFAULTS.lifetime} algorithm ${algorithm};`,
    '  };',
    ...nsec3,
    '};',
  ].join('\n');
}
