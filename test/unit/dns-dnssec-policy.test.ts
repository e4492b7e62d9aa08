import { checkInstanceConfig } from '../../src/controllers/instance-health.js';
import { namedConfFor } from '../../src/controllers/bind9-resources.js';
import type { Bind9Instance, DnssecSigning } from '../../src/crds/types.js';
import { unsupportedInstanceFields } from '../../src/controllers/unsupported.js';
import { checkSigning, renderDnssecPolicy, zonePolicyProblem } from '../../src/dns/dnssec-policy.js';

const instance = (name: string, signing?: DnssecSigning): Bind9Instance => ({
  apiVersion: 'bindy.firestoned.io/v1beta1',
  kind: 'Bind9Instance',
  metadata: { name, namespace: 'dns' },
  spec: { clusterRef: 'c', role: 'primary', ...(signing ? { config: { dnssec: { signing } } } : {}) },
});

describe('an instance\'s DNSSEC signing config', () => {
  it('renders a dnssec-policy block that real named-checkconf accepts (KSK + ZSK, NSEC3 when asked)', async () => {
    const signed = instance('dns', { enabled: true, policy: 'corp', algorithm: 'ECDSAP384SHA384', kskLifetime: '365d', zskLifetime: 'P90D', nsec3: true, nsec3Iterations: 0 });
    expect(renderDnssecPolicy(signed.spec.config!.dnssec!.signing!)).toBe(
      ['dnssec-policy "corp" {', '  keys {', '    ksk lifetime 365d algorithm ECDSAP384SHA384;', '    zsk lifetime P90D algorithm ECDSAP384SHA384;', '  };', '  nsec3param iterations 0 optout no salt-length 16;', '};'].join('\n'),
    );
    expect(namedConfFor(signed)).toContain('dnssec-policy "corp" {');
    expect(await checkInstanceConfig(signed)).toEqual({ ok: true });
  });

  it('renders nothing for named\'s built-in policy (its tuning is reported Unsupported, the rest deployed), and nothing when signing is off', async () => {
    const builtIn = instance('dns', { enabled: true, algorithm: 'ED25519', nsec3: true });
    expect(renderDnssecPolicy(builtIn.spec.config!.dnssec!.signing!)).toBe('');
    expect(await checkInstanceConfig(builtIn)).toEqual({ ok: true });
    expect(unsupportedInstanceFields(builtIn)).toEqual(['spec.config.dnssec.signing.algorithm/nsec3 with named\'s built-in policy "default" (give signing.policy a name of your own to tune it)']);
    expect(namedConfFor(instance('dns', { enabled: false, policy: 'corp' }))).not.toContain('dnssec-policy');
  });

  it.each<[string, DnssecSigning, RegExp]>([
    ['an algorithm named does not sign with', { enabled: true, policy: 'corp', algorithm: 'GOST' }, /algorithm "GOST" is not one named signs with/],
    ['a lifetime named cannot read', { enabled: true, policy: 'corp', kskLifetime: 'forever' }, /kskLifetime "forever" is not a duration/],
    ['NSEC3 iterations over named\'s limit', { enabled: true, policy: 'corp', nsec3: true, nsec3Iterations: 500 }, /nsec3Iterations 500 is over named's limit of 150/],
  ])('refuses %s (InvalidConfig, naming the field)', async (_what, signing, message) => {
    const verdict = checkSigning(signing, 'config.dnssec.signing');
    expect(verdict).toMatchObject({ ok: false, reason: 'InvalidConfig', message: expect.stringMatching(message) });
    expect(await checkInstanceConfig(instance('dns', signing))).toEqual(verdict);
  });
});

describe('a DNSZone\'s dnssecPolicy', () => {
  it('is fine when built into named or defined by every primary, and names each primary that lacks it', () => {
    const corp = instance('a', { enabled: true, policy: 'corp' });
    expect(zonePolicyProblem(undefined, [corp])).toBeUndefined();
    expect(zonePolicyProblem('default', [instance('b')])).toBeUndefined();
    expect(zonePolicyProblem('corp', [corp])).toBeUndefined();
    expect(zonePolicyProblem('corp', [corp, instance('b'), instance('c', { enabled: false, policy: 'corp' })])).toMatch(/"corp" is neither built into named .* nor defined by primary instance\(s\) dns\/b, dns\/c; define it there/);
  });
});
